import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, SimulatedClock, type AnyActorRef, type InspectionEvent } from 'xstate';
import { connectionMachine, connectionStateName, type MovingOrder, type OpenedSocket } from '../../src/machines/connection.machine.js';
import { relaxSource } from '../../src/maintenance/relax.js';

/** A connection actor on a simulated clock whose socket actors are instant fakes. */
function harness(options: { postHandoffRelaxMs?: number } = {}) {
  const clock = new SimulatedClock();
  const requested: Array<{ id: string; moving: MovingOrder }> = [];
  const cancelled: Array<{ id: string }> = [];
  let dials = 0;
  const machine = connectionMachine.provide({
    actors: {
      openSocket: fromPromise<OpenedSocket, { id: string; attempt: number }>(async () => {
        dials += 1;
        return { endpoint: 'h:1', maint: 'supported' };
      }),
      closeSocket: fromPromise<void, { id: string }>(async () => {}),
    },
    actions: {
      requestHandoff: (_, params) => {
        requested.push(params);
      },
      cancelHandoff: (_, params) => {
        cancelled.push(params);
      },
    },
  });
  /** Every event the connection actor itself received (delayed raises included). */
  const received: string[] = [];
  let root: AnyActorRef | undefined;
  const actor = createActor(machine, {
    input: { id: 'c1', endpoint: 'h:1', ...(options.postHandoffRelaxMs === undefined ? {} : { postHandoffRelaxMs: options.postHandoffRelaxMs }) },
    clock,
    inspect: (event: InspectionEvent) => {
      if (event.type === '@xstate.event' && root !== undefined && event.actorRef === root) received.push(event.event.type);
    },
  });
  root = actor;
  const errors: unknown[] = [];
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  return {
    clock,
    actor,
    requested,
    cancelled,
    received,
    errors,
    dials: () => dials,
    name: () => connectionStateName(actor.getSnapshot().value),
    context: () => actor.getSnapshot().context,
    sources: () => Object.keys(actor.getSnapshot().context.relaxSources).sort(),
  };
}

/** Lets settled fake promises reach the actor before the clock moves. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

async function readyHarness(options: { postHandoffRelaxMs?: number } = {}) {
  const h = harness(options);
  await flush();
  assert.is(h.name(), 'idle', 'connected');
  return h;
}

const MIG1 = relaxSource('MIGRATING', 1);
const MIG2 = relaxSource('MIGRATING', 2);
const FO2 = relaxSource('FAILING_OVER', 2);
const FO3 = relaxSource('FAILING_OVER', 3);

test('relax.add opens a window (ready.relaxed); the matching relax.remove closes it (closing-notification)', async () => {
  const h = await readyHarness();
  assert.equal(h.actor.getSnapshot().value, { ready: 'idle' });
  assert.is(h.context().lastUnrelax, null);
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 30_000 });
  assert.equal(h.actor.getSnapshot().value, { ready: 'relaxed' });
  assert.equal(h.context().relaxSources, { [MIG1]: 30_000 });
  h.clock.increment(1000);
  await flush();
  assert.is(h.name(), 'relaxed');
  h.actor.send({ type: 'relax.remove', family: 'MIGRATING', seq: 1 });
  assert.equal(h.actor.getSnapshot().value, { ready: 'idle' });
  assert.equal(h.context().relaxSources, {});
  assert.equal(h.context().lastUnrelax, { source: MIG1, reason: 'closing-notification' });
  assert.equal(h.errors, []);
  h.actor.stop();
});

test('nested sources (MIGRATING:1 and FAILING_OVER:2): relaxed until both have ended', async () => {
  const h = await readyHarness();
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 30_000 });
  h.actor.send({ type: 'relax.add', source: FO2, backstopMs: 30_000 });
  assert.equal(h.sources(), [FO2, MIG1]);
  h.actor.send({ type: 'relax.remove', family: 'MIGRATING', seq: 1 });
  assert.is(h.name(), 'relaxed', 'FAILING_OVER:2 still open');
  assert.equal(h.sources(), [FO2]);
  assert.equal(h.context().lastUnrelax, { source: MIG1, reason: 'closing-notification' });
  h.actor.send({ type: 'relax.remove', family: 'FAILING_OVER', seq: 2 });
  assert.is(h.name(), 'idle');
  assert.equal(h.sources(), []);
  assert.equal(h.context().lastUnrelax, { source: FO2, reason: 'closing-notification' });
  h.actor.stop();
});

test('a remove with the exact seq ends only that source of the family', async () => {
  const h = await readyHarness();
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 30_000 });
  h.actor.send({ type: 'relax.add', source: MIG2, backstopMs: 30_000 });
  h.actor.send({ type: 'relax.remove', family: 'MIGRATING', seq: 1 });
  assert.is(h.name(), 'relaxed');
  assert.equal(h.sources(), [MIG2]);
  h.actor.stop();
});

test('a remove with a different seq ends every source of that family (lenient), not other families', async () => {
  const h = await readyHarness();
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 5000 });
  h.actor.send({ type: 'relax.add', source: MIG2, backstopMs: 5000 });
  h.actor.send({ type: 'relax.add', source: FO3, backstopMs: 20_000 });
  h.actor.send({ type: 'relax.remove', family: 'MIGRATING', seq: 7 });
  assert.is(h.name(), 'relaxed', 'FAILING_OVER:3 is another family');
  assert.equal(h.sources(), [FO3]);
  assert.is(h.context().lastUnrelax?.reason, 'closing-notification');
  assert.ok([MIG1, MIG2].includes(h.context().lastUnrelax?.source ?? ''), 'a MIGRATING source ended');
  // A closing notification of a family with nothing open changes nothing.
  const before = h.context().lastUnrelax;
  h.actor.send({ type: 'relax.remove', family: 'SMIGRATING', seq: 7 });
  assert.equal(h.sources(), [FO3]);
  assert.equal(h.context().lastUnrelax, before);
  // The removed sources' backstops were cancelled too.
  h.clock.increment(5000);
  await flush();
  assert.not.ok(h.received.includes('relax.expire'), 'no backstop fired for the removed MIGRATING sources');
  assert.is(h.name(), 'relaxed');
  h.actor.stop();
});

test('backstop: without a closing notification the source ends exactly at backstopMs', async () => {
  const h = await readyHarness();
  h.clock.increment(777);
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 3000 });
  h.clock.increment(2999);
  await flush();
  assert.is(h.name(), 'relaxed', 'still relaxed 1 ms before the backstop');
  assert.equal(h.sources(), [MIG1]);
  h.clock.increment(1);
  await flush();
  assert.is(h.name(), 'idle');
  assert.equal(h.sources(), []);
  assert.equal(h.context().lastUnrelax, { source: MIG1, reason: 'backstop' });
  h.actor.stop();
});

test('backstops are per source: each ends at its own time', async () => {
  const h = await readyHarness();
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 1000 });
  h.actor.send({ type: 'relax.add', source: FO2, backstopMs: 2500 });
  h.clock.increment(1000);
  await flush();
  assert.equal(h.sources(), [FO2]);
  assert.equal(h.context().lastUnrelax, { source: MIG1, reason: 'backstop' });
  assert.is(h.name(), 'relaxed');
  h.clock.increment(1499);
  await flush();
  assert.is(h.name(), 'relaxed');
  h.clock.increment(1);
  await flush();
  assert.is(h.name(), 'idle');
  assert.equal(h.context().lastUnrelax, { source: FO2, reason: 'backstop' });
  h.actor.stop();
});

test('re-adding a source restarts its backstop', async () => {
  const h = await readyHarness();
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 1000 });
  h.clock.increment(600);
  await flush();
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 1000 });
  h.clock.increment(400);
  await flush();
  assert.is(h.name(), 'relaxed', 'the first backstop no longer applies');
  assert.not.ok(h.received.includes('relax.expire'), 'the first backstop timer was cancelled');
  h.clock.increment(599);
  await flush();
  assert.is(h.name(), 'relaxed', '1 ms before the restarted backstop');
  h.clock.increment(1);
  await flush();
  assert.is(h.name(), 'idle');
  assert.equal(h.context().lastUnrelax, { source: MIG1, reason: 'backstop' });
  assert.is(h.received.filter((type) => type === 'relax.expire').length, 1, 'exactly one backstop fired');
  h.actor.stop();
});

test('a remove cancels the backstop: advancing past it later changes nothing', async () => {
  const h = await readyHarness();
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 1000 });
  h.clock.increment(300);
  await flush();
  h.actor.send({ type: 'relax.remove', family: 'MIGRATING', seq: 1 });
  const after = h.actor.getSnapshot();
  assert.is(h.name(), 'idle');
  h.clock.increment(10_000);
  await flush();
  assert.not.ok(h.received.includes('relax.expire'), 'the backstop timer was cancelled');
  assert.is(h.name(), 'idle');
  assert.equal(h.context().lastUnrelax, { source: MIG1, reason: 'closing-notification' });
  assert.equal(h.context(), after.context);
  h.actor.stop();
});

test('relaxation persists while reconnecting and the state is relaxed again when ready', async () => {
  const h = await readyHarness();
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 60_000 });
  h.actor.send({ type: 'socket.lost', reason: 'peer closed' });
  assert.is(h.name(), 'reconnecting');
  assert.equal(h.sources(), [MIG1], 'kept in context while reconnecting');
  h.clock.increment(50);
  await flush();
  assert.is(h.dials(), 2, 're-dialled');
  assert.equal(h.actor.getSnapshot().value, { ready: 'relaxed' });
  assert.equal(h.sources(), [MIG1]);
  // The closing notification still ends it after the reconnect.
  h.actor.send({ type: 'relax.remove', family: 'MIGRATING', seq: 1 });
  assert.is(h.name(), 'idle');
  h.actor.stop();
});

test('the backstop keeps running while reconnecting', async () => {
  const h = await readyHarness();
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 1000 });
  h.clock.increment(900);
  await flush();
  h.actor.send({ type: 'socket.lost', reason: 'peer closed' });
  h.clock.increment(50);
  await flush();
  assert.is(h.name(), 'relaxed');
  h.clock.increment(49);
  await flush();
  assert.is(h.name(), 'relaxed');
  h.clock.increment(1);
  await flush();
  assert.is(h.name(), 'idle');
  assert.equal(h.context().lastUnrelax, { source: MIG1, reason: 'backstop' });
  h.actor.stop();
});

async function handOff(h: Awaited<ReturnType<typeof readyHarness>>): Promise<void> {
  const now = h.clock.now();
  h.actor.send({ type: 'moving', seq: 9, endpoint: 'h:2', target: 'h:2', beginAt: now, deadlineAt: now + 15_000 });
  h.clock.increment(0);
  await flush();
  assert.is(h.name(), 'handingOff');
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:2' });
}

test('post-handoff tail: relaxed with source "handoff" for exactly postHandoffRelaxMs, then post-handoff-expired', async () => {
  const h = await readyHarness({ postHandoffRelaxMs: 20_000 });
  await handOff(h);
  assert.equal(h.actor.getSnapshot().value, { ready: 'relaxed' });
  assert.is(h.context().endpoint, 'h:2');
  assert.equal(h.context().relaxSources, { handoff: 20_000 });
  h.clock.increment(19_999);
  await flush();
  assert.is(h.name(), 'relaxed');
  h.clock.increment(1);
  await flush();
  assert.equal(h.actor.getSnapshot().value, { ready: 'idle' });
  assert.equal(h.context().lastUnrelax, { source: 'handoff', reason: 'post-handoff-expired' });
  assert.equal(h.errors, []);
  h.actor.stop();
});

test('post-handoff tail does not end other sources, and they do not end it', async () => {
  const h = await readyHarness({ postHandoffRelaxMs: 1000 });
  h.actor.send({ type: 'relax.add', source: MIG1, backstopMs: 5000 });
  await handOff(h);
  assert.equal(h.sources(), [MIG1, 'handoff']);
  h.actor.send({ type: 'relax.remove', family: 'MIGRATING', seq: 1 });
  assert.is(h.name(), 'relaxed', 'the handoff tail remains');
  h.clock.increment(1000);
  await flush();
  assert.is(h.name(), 'idle');
  assert.equal(h.context().lastUnrelax, { source: 'handoff', reason: 'post-handoff-expired' });
  h.actor.stop();
});

test('postHandoffRelaxMs 0: no tail after a handoff', async () => {
  const h = await readyHarness({ postHandoffRelaxMs: 0 });
  await handOff(h);
  assert.equal(h.actor.getSnapshot().value, { ready: 'idle' });
  assert.equal(h.context().relaxSources, {});
  assert.is(h.context().lastUnrelax, null);
  h.clock.increment(60_000);
  await flush();
  assert.is(h.name(), 'idle');
  h.actor.stop();
});

test.run();
