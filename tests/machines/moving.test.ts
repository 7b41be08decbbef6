import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, fromPromise, SimulatedClock } from 'xstate';
import { connectionMachine, connectionStateName, reconnectDelay, type ConnectionContext, type MovingOrder, type OpenedSocket } from '../../src/machines/connection.machine.js';

interface Dial {
  input: { id: string; attempt: number };
  signal: AbortSignal;
  succeed(socket: OpenedSocket): void;
  fail(error: unknown): void;
}

/**
 * A connection actor on a simulated clock. Dials resolve at once to `{ endpoint: 'h:1' }` unless
 * `manualDials` is set, in which case the test settles each dial by hand.
 */
function harness(options: { manualDials?: boolean } = {}) {
  const clock = new SimulatedClock();
  const requested: Array<{ id: string; moving: MovingOrder }> = [];
  const cancelled: Array<{ id: string }> = [];
  const dials: Dial[] = [];
  const closes: Array<{ id: string }> = [];
  const machine = connectionMachine.provide({
    actors: {
      openSocket: fromPromise<OpenedSocket, { id: string; attempt: number }>(({ input, signal }) => {
        if (options.manualDials !== true) {
          dials.push({ input, signal, succeed: () => {}, fail: () => {} });
          return Promise.resolve({ endpoint: 'h:1', maint: 'supported' });
        }
        return new Promise<OpenedSocket>((resolve, reject) => {
          dials.push({ input, signal, succeed: resolve, fail: reject });
        });
      }),
      closeSocket: fromPromise<void, { id: string }>(async ({ input }) => {
        closes.push(input);
      }),
    },
    actions: {
      // The ceiling of the backoff, without jitter: these tests count exact milliseconds.
      drawReconnectDelay: assign<ConnectionContext, never, undefined, never, never>({ reconnectDelayMs: ({ context }) => reconnectDelay(context.attempt) }) as never,
      requestHandoff: (_, params) => {
        requested.push(params);
      },
      cancelHandoff: (_, params) => {
        cancelled.push(params);
      },
    },
  });
  const actor = createActor(machine, { input: { id: 'c1', endpoint: 'h:1' }, clock });
  const errors: unknown[] = [];
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  return {
    clock,
    actor,
    requested,
    cancelled,
    dials,
    closes,
    errors,
    name: () => connectionStateName(actor.getSnapshot().value),
    context: () => actor.getSnapshot().context,
    lastDial: (): Dial => {
      const dial = dials[dials.length - 1];
      if (dial === undefined) throw new Error('no dial yet');
      return dial;
    },
  };
}

type Harness = ReturnType<typeof harness>;

/** Lets settled fake promises reach the actor before the clock moves. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

async function readyHarness(): Promise<Harness> {
  const h = harness();
  await flush();
  assert.is(h.name(), 'idle', 'connected');
  return h;
}

/** A MOVING with an endpoint: hand off now; the old endpoint goes away after timeS. */
function movingTo(h: Harness, seq: number, endpoint: string, timeS = 15): MovingOrder {
  const now = h.clock.now();
  return { seq, endpoint, target: endpoint, beginAt: now, deadlineAt: now + timeS * 1000 };
}

/** A MOVING without endpoint: move to the configured address after timeS/2. */
function movingNone(h: Harness, seq: number, timeS: number): MovingOrder {
  const now = h.clock.now();
  return { seq, endpoint: null, target: 'h:1', beginAt: now + timeS * 500, deadlineAt: now + timeS * 1000 };
}

/** Sends a MOVING and lets zero simulated time pass. */
async function sendMoving(h: Harness, order: MovingOrder): Promise<void> {
  h.actor.send({ type: 'moving', ...order });
  h.clock.increment(0);
  await flush();
}

test('a MOVING with an endpoint → handingOff at once, requestHandoff called once with the order', async () => {
  const h = await readyHarness();
  h.clock.increment(1234);
  const order = movingTo(h, 1, 'h:2');
  await sendMoving(h, order);
  assert.is(h.name(), 'handingOff');
  assert.is(h.clock.now(), 1234, 'no simulated time passed');
  assert.equal(h.requested, [{ id: 'c1', moving: order }]);
  assert.equal(h.context().moving, order);
  assert.equal(h.cancelled, []);
  h.clock.increment(60_000);
  await flush();
  assert.is(h.name(), 'handingOff', 'waits for the worker');
  assert.is(h.requested.length, 1, 'requested once');
  assert.equal(h.errors, []);
  h.actor.stop();
});

test('a later MOVING to another target that arrives during a handoff is acted on after it', async () => {
  const h = await readyHarness();
  const first = movingTo(h, 1, 'h:2');
  await sendMoving(h, first);
  const second = movingTo(h, 2, 'h:3');
  await sendMoving(h, second);
  assert.is(h.name(), 'handingOff');
  assert.is(h.requested.length, 1, 'the first handoff is still under way');
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:2' });
  h.clock.increment(0);
  await flush();
  assert.is(h.name(), 'handingOff', 'moves on to the later target');
  assert.equal(h.requested[1], { id: 'c1', moving: second });
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:3' });
  h.clock.increment(0);
  await flush();
  assert.is(h.context().moving, null);
  assert.is(h.context().endpoint, 'h:3');
  h.actor.stop();
});

test('a MOVING without endpoint received while reconnecting: a reconnect before timeS/2 does not count as the move', async () => {
  const h = harness({ manualDials: true });
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'supported' });
  await flush();
  h.actor.send({ type: 'socket.lost', reason: 'cut' });
  await flush();
  assert.is(h.name(), 'reconnecting');
  const order = movingNone(h, 9, 4);
  h.actor.send({ type: 'moving', ...order });
  h.clock.increment(50);
  await flush();
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'supported' });
  await flush();
  assert.is(h.name(), 'idle', 'reconnected to the configured address before DNS could follow');
  assert.equal(h.context().moving, order, 'the move is still pending');
  h.clock.increment(order.beginAt - h.clock.now());
  await flush();
  assert.is(h.name(), 'handingOff', 'moved again once timeS/2 passed');
  h.actor.stop();
});

test('a MOVING whose deadline and a handoff budget have passed is stale: dropped, no handoff', async () => {
  const h = await readyHarness();
  h.clock.increment(100_000);
  const now = h.clock.now();
  // The default handoff budget is 15 s; this MOVING's old endpoint was due to go away 16 s ago.
  await sendMoving(h, { seq: 5, endpoint: 'h:9', target: 'h:9', beginAt: now - 31_000, deadlineAt: now - 16_000 });
  assert.is(h.name(), 'idle');
  assert.is(h.context().moving, null);
  assert.equal(h.requested, []);
  h.actor.stop();
});

test('a MOVING without endpoint waits until beginAt = now + timeS*500, to the millisecond', async () => {
  const h = await readyHarness();
  h.clock.increment(1234);
  const order = movingNone(h, 4, 3);
  assert.is(order.beginAt, 1234 + 1500);
  await sendMoving(h, order);
  assert.equal(h.actor.getSnapshot().value, { ready: 'idle' });
  h.clock.increment(order.beginAt - h.clock.now() - 1);
  await flush();
  assert.is(h.name(), 'idle', '1 ms before beginAt');
  assert.equal(h.requested, []);
  h.clock.increment(1);
  await flush();
  assert.is(h.name(), 'handingOff', 'at beginAt');
  assert.equal(h.requested, [{ id: 'c1', moving: order }]);
  assert.is(h.requested[0]?.moving.target, 'h:1', 'to the configured address');
  h.actor.stop();
});

test('a MOVING without endpoint still relaxes normally while it waits', async () => {
  const h = await readyHarness();
  await sendMoving(h, movingNone(h, 4, 10));
  h.actor.send({ type: 'relax.add', source: 'MIGRATING:1', backstopMs: 60_000 });
  assert.is(h.name(), 'relaxed');
  h.clock.increment(4999);
  await flush();
  assert.is(h.name(), 'relaxed');
  h.clock.increment(1);
  await flush();
  assert.is(h.name(), 'handingOff');
  h.actor.stop();
});

test('a duplicate MOVING (same seq and endpoint) is ignored; a different seq is not a duplicate', async () => {
  const h = await readyHarness();
  const first = movingTo(h, 1, 'h:2');
  await sendMoving(h, first);
  assert.is(h.requested.length, 1);
  // The same MOVING again, while handing off and after it finished.
  await sendMoving(h, movingTo(h, 1, 'h:2'));
  assert.is(h.requested.length, 1);
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:2' });
  assert.is(h.name(), 'idle');
  await sendMoving(h, movingTo(h, 1, 'h:2'));
  h.clock.increment(60_000);
  await flush();
  assert.is(h.name(), 'idle', 'the duplicate did not start a handoff');
  assert.is(h.requested.length, 1, 'requestHandoff not called again');
  assert.is(h.context().moving, null);
  // Same endpoint, new seq: a new MOVING.
  const second = movingTo(h, 2, 'h:2');
  await sendMoving(h, second);
  assert.is(h.name(), 'handingOff');
  assert.is(h.requested.length, 2);
  assert.equal(h.requested[1], { id: 'c1', moving: second });
  h.actor.stop();
});

test('the same MOVING told again on a socket opened since is acted on when that socket is not where it pointed (type none; a reconnect that landed on the old node)', async () => {
  const h = await readyHarness();
  // Type none: the new socket is at the configured address, whose name may not have followed yet.
  await sendMoving(h, movingNone(h, 1, 2));
  h.clock.increment(1000);
  await flush();
  assert.is(h.name(), 'handingOff');
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:1' });
  assert.is(h.name(), 'idle');
  await sendMoving(h, movingNone(h, 1, 1));
  h.clock.increment(500);
  await flush();
  assert.is(h.name(), 'handingOff', 'told again on the new socket: it is still on the node being left');
  assert.is(h.requested.length, 2);
  // Still on the old socket, a copy is a duplicate.
  await sendMoving(h, movingNone(h, 1, 1));
  assert.is(h.requested.length, 2);
  // A handoff that failed and fell back to a reconnect elsewhere: told again there, it moves at once.
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:1' });
  await sendMoving(h, movingTo(h, 2, 'h:2'));
  h.actor.send({ type: 'handoff.failed', reason: 'refused' });
  assert.is(h.name(), 'reconnecting');
  h.clock.increment(60);
  await flush();
  assert.is(h.context().endpoint, 'h:1', 'reconnected to the old address');
  assert.is(h.context().moving?.seq, 2, 'the MOVING stays pending there');
  assert.equal(h.context().seenMovings, ['2|h:2'], 'only the pending MOVING is a duplicate on the new socket');
  h.actor.stop();
});

test('a MOVING told again while the new socket is opened (reconnect or handoff) is acted on once it is in, unless it is where the MOVING pointed', async () => {
  const h = harness({ manualDials: true });
  await flush();
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'supported' });
  await flush();
  await sendMoving(h, movingNone(h, 1, 2));
  h.actor.send({ type: 'socket.lost', reason: 'cut' });
  h.clock.increment(60);
  await flush();
  assert.is(h.name(), 'connecting');
  // Told again during the reconnect's handshake: this socket is on the node being left too.
  const again = movingNone(h, 1, 1);
  h.actor.send({ type: 'moving.again', ...again });
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'supported' });
  await flush();
  assert.equal(h.context().moving, again);
  assert.equal(h.context().retold, null);
  h.clock.increment(500);
  await flush();
  assert.is(h.name(), 'handingOff');
  // A copy on the old socket during a handoff to where it pointed changes nothing.
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:1' });
  await sendMoving(h, movingTo(h, 3, 'h:2'));
  h.actor.send({ type: 'moving.again', ...movingTo(h, 3, 'h:2') });
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:2' });
  assert.is(h.context().moving, null);
  assert.is(h.name(), 'idle');
  // In a ready state there is no socket being opened: ignored.
  h.actor.send({ type: 'moving.again', ...movingTo(h, 3, 'h:3') });
  assert.is(h.context().retold, null);
  h.actor.stop();
});

test('the same seq with another endpoint is not a duplicate', async () => {
  const h = await readyHarness();
  await sendMoving(h, movingTo(h, 1, 'h:2'));
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:2' });
  await sendMoving(h, movingTo(h, 1, 'h:3'));
  assert.is(h.name(), 'handingOff');
  assert.is(h.requested.length, 2);
  assert.is(h.requested[1]?.moving.target, 'h:3');
  h.actor.stop();
});

test('handoff.succeeded → ready with the new endpoint', async () => {
  const h = await readyHarness();
  await sendMoving(h, movingTo(h, 1, 'h:2'));
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:2' });
  assert.equal(h.actor.getSnapshot().value, { ready: 'idle' });
  assert.is(h.context().endpoint, 'h:2');
  assert.is(h.context().moving, null);
  assert.is(h.dials.length, 1, 'no plain reconnect');
  h.actor.stop();
});

test('handoff.failed → reconnecting, then connecting after the reconnect delay', async () => {
  const h = await readyHarness();
  await sendMoving(h, movingTo(h, 1, 'h:2'));
  h.actor.send({ type: 'handoff.failed', reason: 'refused' });
  assert.is(h.name(), 'reconnecting');
  assert.is(h.context().lastError, 'refused');
  assert.is(h.context().attempt, 1);
  h.clock.increment(49);
  await flush();
  assert.is(h.name(), 'reconnecting');
  assert.is(h.dials.length, 1);
  h.clock.increment(1);
  assert.is(h.name(), 'connecting');
  assert.is(h.dials.length, 2);
  assert.equal(h.lastDial().input, { id: 'c1', attempt: 1 });
  assert.is(h.requested.length, 1, 'no new handoff request while reconnecting');
  h.actor.stop();
});

test('a MOVING received while connecting is acted on once the connection is ready', async () => {
  const h = harness({ manualDials: true });
  assert.is(h.name(), 'connecting');
  const order = movingTo(h, 3, 'h:2');
  await sendMoving(h, order);
  assert.is(h.name(), 'connecting');
  assert.equal(h.requested, []);
  assert.equal(h.context().moving, order, 'remembered');
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'supported' });
  await flush();
  h.clock.increment(0);
  await flush();
  assert.is(h.name(), 'handingOff');
  assert.equal(h.requested, [{ id: 'c1', moving: order }]);
  h.actor.stop();
});

test('a MOVING received while reconnecting is acted on once the connection is ready', async () => {
  const h = harness({ manualDials: true });
  h.lastDial().fail(new Error('refused'));
  await flush();
  assert.is(h.name(), 'reconnecting');
  const order = movingTo(h, 3, 'h:2');
  await sendMoving(h, order);
  h.clock.increment(50);
  await flush();
  assert.is(h.name(), 'connecting');
  assert.equal(h.requested, []);
  h.lastDial().succeed({ endpoint: 'h:1', maint: 'supported' });
  await flush();
  h.clock.increment(0);
  await flush();
  assert.is(h.name(), 'handingOff');
  assert.equal(h.requested, [{ id: 'c1', moving: order }]);
  h.actor.stop();
});

test('a MOVING received while connecting is dropped when the dial reached its target', async () => {
  const h = harness({ manualDials: true });
  await sendMoving(h, movingTo(h, 3, 'h:2'));
  h.lastDial().succeed({ endpoint: 'h:2', maint: 'unknown' });
  await flush();
  h.clock.increment(60_000);
  await flush();
  assert.is(h.name(), 'idle');
  assert.is(h.context().endpoint, 'h:2');
  assert.is(h.context().moving, null);
  assert.equal(h.requested, []);
  h.actor.stop();
});

test('close while handingOff → cancelHandoff, closeSocket, closed', async () => {
  const h = await readyHarness();
  await sendMoving(h, movingTo(h, 1, 'h:2'));
  assert.is(h.name(), 'handingOff');
  h.actor.send({ type: 'close' });
  assert.equal(h.cancelled, [{ id: 'c1' }]);
  await flush();
  assert.is(h.name(), 'closed');
  assert.is(h.actor.getSnapshot().status, 'done');
  assert.equal(h.closes, [{ id: 'c1' }]);
  assert.equal(h.errors, []);
  h.actor.stop();
});

test('socket.lost while handingOff keeps it handingOff (no cancel, no reconnect)', async () => {
  const h = await readyHarness();
  await sendMoving(h, movingTo(h, 1, 'h:2'));
  h.actor.send({ type: 'socket.lost', reason: 'old endpoint gone' });
  assert.is(h.name(), 'handingOff');
  h.clock.increment(10_000);
  await flush();
  assert.is(h.name(), 'handingOff');
  assert.equal(h.cancelled, []);
  assert.is(h.dials.length, 1);
  assert.is(h.requested.length, 1);
  h.actor.send({ type: 'handoff.succeeded', endpoint: 'h:2' });
  assert.is(h.name(), 'idle');
  assert.is(h.context().endpoint, 'h:2');
  h.actor.stop();
});

test.run();
