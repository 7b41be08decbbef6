import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, fromPromise, SimulatedClock, type Actor } from 'xstate';
import {
  connectionMachine,
  connectionStateName,
  reconnectDelay,
  jitteredReconnectDelay,
  RECONNECT_MAX_DELAY_MS,
  type ConnectionContext,
  type ConnectionInput,
  type OpenedSocket,
} from '../../src/machines/connection.machine.js';

interface Dial {
  input: { id: string; attempt: number };
  signal: AbortSignal;
  succeed(socket: OpenedSocket): void;
  fail(error: unknown): void;
}

/** A connection actor whose openSocket/closeSocket are fakes the test settles by hand. */
/** `jitter: false` (default) draws the backoff's ceiling, so that tests can count exact milliseconds. */
function harness(options: { jitter?: boolean; startIn?: ConnectionInput['startIn'] } = {}) {
  const clock = new SimulatedClock();
  const dials: Dial[] = [];
  const closes: Array<{ id: string }> = [];
  let finishClose: (() => void) | undefined;
  const machine = connectionMachine.provide({
    ...(options.jitter === true ? {} : { actions: { drawReconnectDelay: assign<ConnectionContext, never, undefined, never, never>({ reconnectDelayMs: ({ context }) => reconnectDelay(context.attempt) }) as never } }),
    actors: {
      openSocket: fromPromise<OpenedSocket, { id: string; attempt: number }>(
        ({ input, signal }) =>
          new Promise<OpenedSocket>((resolve, reject) => {
            dials.push({ input, signal, succeed: resolve, fail: reject });
          }),
      ),
      closeSocket: fromPromise<void, { id: string }>(({ input }) => {
        closes.push(input);
        return new Promise<void>((resolve) => (finishClose = resolve));
      }),
    },
  });
  const actor = createActor(machine, { input: { id: 'c1', endpoint: 'h:1', ...(options.startIn === undefined ? {} : { startIn: options.startIn }) }, clock });
  const errors: unknown[] = [];
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  const lastDial = (): Dial => {
    const dial = dials[dials.length - 1];
    if (dial === undefined) throw new Error('no dial yet');
    return dial;
  };
  return {
    clock,
    actor,
    dials,
    closes,
    errors,
    lastDial,
    finishClose: () => {
      assert.ok(finishClose, 'closeSocket was not invoked');
      finishClose?.();
    },
    name: () => connectionStateName(actor.getSnapshot().value),
  };
}

/** Lets settled fake promises reach the actor before the clock moves. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function stop(actor: Actor<typeof connectionMachine>): void {
  actor.stop();
}

test('started in ready (its first attempt made without the actor): idle at once, no dial; a lost socket reconnects from attempt 1', async () => {
  const h = harness({ startIn: { state: 'ready' } });
  assert.equal(h.actor.getSnapshot().value, { ready: 'idle' });
  assert.is(h.dials.length, 0);
  assert.is(h.actor.getSnapshot().context.attempt, 0);
  h.actor.send({ type: 'socket.lost', reason: 'ECONNRESET' });
  assert.is(h.name(), 'reconnecting');
  h.clock.increment(reconnectDelay(1));
  assert.is(h.name(), 'connecting');
  assert.equal(h.lastDial().input, { id: 'c1', attempt: 1 });
  stop(h.actor);
});

test('started in reconnecting (its first attempt failed without the actor): attempt 1 and its error, the next dial after the backoff', async () => {
  const h = harness({ startIn: { state: 'reconnecting', lastError: 'ECONNREFUSED' } });
  assert.is(h.name(), 'reconnecting');
  const { attempt, lastError, reconnectDelayMs } = h.actor.getSnapshot().context;
  assert.equal({ attempt, lastError, reconnectDelayMs }, { attempt: 1, lastError: 'ECONNREFUSED', reconnectDelayMs: reconnectDelay(1) });
  h.clock.increment(reconnectDelay(1) - 1);
  assert.is(h.dials.length, 0);
  h.clock.increment(1);
  assert.equal(h.lastDial().input, { id: 'c1', attempt: 1 });
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'unknown' });
  await flush();
  assert.is(h.name(), 'idle');
  assert.is(h.actor.getSnapshot().context.attempt, 0);
  stop(h.actor);
});

test('connecting → ready.idle on success: endpoint updated, attempt reset', async () => {
  const h = harness();
  assert.is(h.name(), 'connecting');
  assert.is(h.dials.length, 1);
  assert.equal(h.lastDial().input, { id: 'c1', attempt: 0 });
  h.lastDial().succeed({ endpoint: 'h:2', maint: 'supported' });
  await flush();
  const snapshot = h.actor.getSnapshot();
  assert.equal(snapshot.value, { ready: 'idle' });
  assert.is(h.name(), 'idle');
  assert.is(snapshot.context.endpoint, 'h:2');
  assert.is(snapshot.context.attempt, 0);
  assert.is(snapshot.context.lastError, null);
  assert.equal(h.errors, []);
  stop(h.actor);
});

test('reconnectDelay: 50, 100, 200, … capped at 2000', () => {
  assert.equal([1, 2, 3, 4, 5, 6, 7, 8, 20].map(reconnectDelay), [50, 100, 200, 400, 800, 1600, 2000, 2000, 2000]);
  assert.is(reconnectDelay(0), 50);
  assert.is(RECONNECT_MAX_DELAY_MS, 2000);
});

test('jitteredReconnectDelay: half the ceiling plus a random share of the other half, capped', () => {
  assert.equal([1, 2, 7, 20].map((n) => jitteredReconnectDelay(n, 0)), [25, 50, 1000, 1000]);
  assert.equal([1, 2, 7, 20].map((n) => jitteredReconnectDelay(n, 0.999999)), [50, 100, 2000, 2000]);
  assert.is(jitteredReconnectDelay(3, 0.5), 150);
  assert.is(jitteredReconnectDelay(3, 7), 200, 'a random outside [0, 1) is clamped');
  assert.is(jitteredReconnectDelay(3, -1), 100);
});

test('failures → reconnecting, re-dialled exactly after the jittered delay drawn for that attempt (within its ceiling)', async () => {
  const h = harness({ jitter: true });
  const ceilings = [50, 100, 200, 400, 800, 1600, 2000, 2000];
  const drawn = new Set<number>();
  for (const [index, ceiling] of ceilings.entries()) {
    const attempt = index + 1;
    h.lastDial().fail(new Error(`refused #${attempt}`));
    await flush();
    const { context } = h.actor.getSnapshot();
    assert.is(h.name(), 'reconnecting');
    assert.is(context.attempt, attempt);
    assert.is(context.lastError, `refused #${attempt}`);
    assert.is(ceiling, reconnectDelay(attempt));
    const delay = context.reconnectDelayMs;
    assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}: ${delay} ms within [${ceiling / 2}, ${ceiling}]`);
    drawn.add(delay / ceiling);
    h.clock.increment(delay - 1);
    await flush();
    assert.is(h.dials.length, attempt, `no re-dial before ${delay} ms (attempt ${attempt})`);
    assert.is(h.name(), 'reconnecting');
    h.clock.increment(1);
    await flush();
    assert.is(h.dials.length, attempt + 1, `re-dial at ${delay} ms (attempt ${attempt})`);
    assert.is(h.name(), 'connecting');
    assert.equal(h.lastDial().input, { id: 'c1', attempt });
  }
  assert.ok(drawn.size > 1, 'the delays are jittered, not a fixed ladder');
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'unknown' });
  await flush();
  assert.is(h.name(), 'idle');
  assert.is(h.actor.getSnapshot().context.attempt, 0, 'attempt reset once ready');
  assert.equal(h.errors, []);
  stop(h.actor);
});

test('socket.lost in ready → reconnecting with attempt 1 and lastError, re-dial after 50 ms', async () => {
  const h = harness();
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'unknown' });
  await flush();
  h.actor.send({ type: 'socket.lost', reason: 'peer closed' });
  const { context } = h.actor.getSnapshot();
  assert.is(h.name(), 'reconnecting');
  assert.is(context.attempt, 1);
  assert.is(context.lastError, 'peer closed');
  h.clock.increment(49);
  await flush();
  assert.is(h.dials.length, 1);
  h.clock.increment(1);
  await flush();
  assert.is(h.dials.length, 2);
  assert.equal(h.lastDial().input, { id: 'c1', attempt: 1 });
  stop(h.actor);
});

test('socket.lost outside ready is ignored', async () => {
  const h = harness();
  h.actor.send({ type: 'socket.lost', reason: 'stray' });
  assert.is(h.name(), 'connecting');
  assert.is(h.actor.getSnapshot().context.lastError, null);
  assert.is(h.dials.length, 1);
  stop(h.actor);
});

test('close from ready → closing (closeSocket once) → closed (done)', async () => {
  const h = harness();
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'unknown' });
  await flush();
  h.actor.send({ type: 'close' });
  assert.is(h.name(), 'closing');
  await flush();
  assert.equal(h.closes, [{ id: 'c1' }]);
  h.finishClose();
  await flush();
  assert.is(h.name(), 'closed');
  assert.is(h.actor.getSnapshot().status, 'done');
  assert.equal(h.closes.length, 1);
  assert.equal(h.errors, []);
  stop(h.actor);
});

test('a second close while closing does not invoke closeSocket again', async () => {
  const h = harness();
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'unknown' });
  await flush();
  h.actor.send({ type: 'close' });
  await flush();
  h.actor.send({ type: 'close' });
  await flush();
  assert.is(h.name(), 'closing');
  assert.is(h.closes.length, 1, 'closeSocket invoked once');
  h.finishClose();
  await flush();
  assert.is(h.actor.getSnapshot().status, 'done');
  stop(h.actor);
});

test('close while connecting → closed; the dial is aborted and nothing re-dials', async () => {
  const h = harness();
  const dial = h.lastDial();
  h.actor.send({ type: 'close' });
  assert.is(h.name(), 'closing');
  assert.ok(dial.signal.aborted, 'the pending dial is aborted');
  // A dial that completes anyway must not revive the connection.
  dial.succeed({ endpoint: 'h:1', maint: 'unknown' });
  await flush();
  h.finishClose();
  await flush();
  assert.is(h.name(), 'closed');
  assert.is(h.actor.getSnapshot().status, 'done');
  h.clock.increment(60_000);
  await flush();
  assert.is(h.dials.length, 1);
  assert.is(h.closes.length, 1);
  stop(h.actor);
});

test('close while reconnecting → closed; the pending re-dial never happens', async () => {
  const h = harness();
  h.lastDial().fail(new Error('refused'));
  await flush();
  assert.is(h.name(), 'reconnecting');
  h.clock.increment(20);
  h.actor.send({ type: 'close' });
  await flush();
  h.finishClose();
  await flush();
  assert.is(h.name(), 'closed');
  assert.is(h.actor.getSnapshot().status, 'done');
  h.clock.increment(60_000);
  await flush();
  assert.is(h.dials.length, 1, 'no dial after close');
  stop(h.actor);
});

test('a failing closeSocket still ends closed', async () => {
  const clock = new SimulatedClock();
  const machine = connectionMachine.provide({
    actors: {
      openSocket: fromPromise<OpenedSocket, { id: string; attempt: number }>(async () => ({ endpoint: 'h:1', maint: 'unknown' })),
      closeSocket: fromPromise<void, { id: string }>(async () => {
        throw new Error('close failed');
      }),
    },
  });
  const actor = createActor(machine, { input: { id: 'c1', endpoint: 'h:1' }, clock });
  actor.subscribe({ error: () => {} });
  actor.start();
  await flush();
  assert.is(connectionStateName(actor.getSnapshot().value), 'idle');
  actor.send({ type: 'close' });
  await flush();
  assert.is(actor.getSnapshot().status, 'done');
  assert.is(connectionStateName(actor.getSnapshot().value), 'closed');
  actor.stop();
});

test('connectionStateName maps the state values', () => {
  assert.is(connectionStateName('connecting'), 'connecting');
  assert.is(connectionStateName('reconnecting'), 'reconnecting');
  assert.is(connectionStateName('handingOff'), 'handingOff');
  assert.is(connectionStateName('closing'), 'closing');
  assert.is(connectionStateName('closed'), 'closed');
  assert.is(connectionStateName({ ready: 'idle' }), 'idle');
  assert.is(connectionStateName({ ready: 'relaxed' }), 'relaxed');
  assert.is(connectionStateName(undefined), 'connecting');
  assert.is(connectionStateName(null), 'connecting');
});

test.run();
