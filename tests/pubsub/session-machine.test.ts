import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import type { FenceOutcome } from '../../src/pubsub/fence.js';
import { sessionMachine, type MoveOrder } from '../../src/pubsub/session.machine.js';

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** The session machine with every actor a controllable promise. */
function setup(flags: { dirty?: boolean; alive?: boolean; unwanted?: boolean } = {}) {
  const clock = new SimulatedClock();
  const state = { dirty: false, alive: true, unwanted: false, ...flags };
  const connects: Array<Deferred<void>> = [];
  const syncs: Array<Deferred<void>> = [];
  const moves: Array<{ order: MoveOrder } & Deferred<{ seq: number; outcome: FenceOutcome }>> = [];
  const log: string[] = [];
  const machine = sessionMachine.provide({
    actors: {
      connect: fromPromise(() => new Promise<void>((resolve, reject) => connects.push({ resolve, reject }))),
      sync: fromPromise(() => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject }))),
      move: fromPromise(({ input }: { input: MoveOrder }) => new Promise<{ seq: number; outcome: FenceOutcome }>((resolve, reject) => moves.push({ order: input, resolve, reject }))),
      closeAll: fromPromise(async (): Promise<void> => {
        log.push('closeAll');
      }),
    },
    actions: {
      connected: () => void log.push('connected'),
      ping: () => void log.push('ping'),
      connectFailed: (_, params) => void log.push(`connectFailed:${params.reason}`),
      moveFailed: (_, params) => void log.push(`moveFailed:${params.order.seq}:${params.reason}`),
    },
    guards: {
      dirty: () => state.dirty,
      currentAlive: () => state.alive,
      unwanted: () => state.unwanted,
    },
  });
  const actor = createActor(machine, { clock });
  actor.start();
  const value = () => JSON.stringify(actor.getSnapshot().value);
  return { clock, state, actor, connects, syncs, moves, log, value };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const target = { host: '127.0.0.1', port: 7001 };

test('idle until the first subscription; connecting → subscribed; a change syncs only when the server lags behind', async () => {
  const m = setup();
  assert.is(m.value(), '"idle"');
  m.actor.send({ type: 'changed' });
  assert.is(m.value(), '"idle"');
  m.actor.send({ type: 'demand' });
  assert.is(m.value(), '"connecting"');
  m.connects[0]?.resolve();
  await flush();
  assert.is(m.value(), '{"subscribed":"steady"}');
  assert.equal(m.log, ['connected']);
  m.actor.send({ type: 'changed' });
  assert.is(m.value(), '{"subscribed":"steady"}', 'nothing to sync');
  m.state.dirty = true;
  m.actor.send({ type: 'changed' });
  assert.is(m.value(), '{"subscribed":"syncing"}');
  m.state.dirty = false;
  m.syncs[0]?.reject(new Error('socket gone'));
  await flush();
  assert.is(m.value(), '{"subscribed":"steady"}', 'a failed sync goes back to steady (the loss arrives as its own event)');
  m.actor.stop();
});

test('a failed connect backs off and tries again; with nobody left listening it goes idle', async () => {
  const m = setup();
  m.actor.send({ type: 'demand' });
  m.connects[0]?.reject(new Error('ECONNREFUSED'));
  await flush();
  assert.is(m.value(), '"waiting"');
  assert.equal(m.log, ['connectFailed:ECONNREFUSED']);
  m.clock.increment(50);
  assert.is(m.value(), '"connecting"', 'after the first backoff (50 ms)');
  m.connects[1]?.reject(new Error('again'));
  await flush();
  m.state.unwanted = true;
  m.clock.increment(100);
  assert.is(m.value(), '"idle"');
  m.actor.stop();
});

test('MOVING without endpoint: the move starts after its delay, waits for a sync under way, and ends subscribed', async () => {
  const m = setup();
  m.actor.send({ type: 'demand' });
  m.connects[0]?.resolve();
  await flush();
  m.actor.send({ type: 'moving', seq: 4, target, delayMs: 1000 });
  m.state.dirty = true;
  m.actor.send({ type: 'changed' });
  m.state.dirty = false;
  m.clock.increment(999);
  assert.is(m.moves.length, 0);
  m.clock.increment(1);
  assert.is(m.value(), '{"subscribed":"syncing"}', 'the sync finishes first');
  m.syncs[0]?.resolve();
  await flush();
  assert.is(m.value(), '"moving"');
  assert.equal(m.moves[0]?.order, { seq: 4, target });
  m.actor.send({ type: 'moving', seq: 4, target, delayMs: 0 });
  assert.is(m.moves.length, 1, 'a duplicate MOVING is ignored');
  m.moves[0]?.resolve({ seq: 4, outcome: { exact: true } });
  await flush();
  assert.is(m.value(), '{"subscribed":"steady"}');
  assert.is(m.actor.getSnapshot().context.moving, null);
  m.actor.stop();
});

test('a MOVING that arrives during a move is acted on after it', async () => {
  const m = setup();
  m.actor.send({ type: 'demand' });
  m.connects[0]?.resolve();
  await flush();
  m.actor.send({ type: 'moving', seq: 1, target, delayMs: 0 });
  m.clock.increment(0);
  await flush();
  assert.is(m.value(), '"moving"');
  m.actor.send({ type: 'moving', seq: 2, target: { host: '127.0.0.1', port: 7002 }, delayMs: 0 });
  m.clock.increment(0);
  m.moves[0]?.resolve({ seq: 1, outcome: { exact: true } });
  await flush();
  assert.is(m.value(), '"moving"', 'straight into the next move');
  assert.is(m.moves[1]?.order.seq, 2);
  m.actor.stop();
});

test('a failed move stays on the old socket when it is alive, else waits and reconnects; close ends everything', async () => {
  const m = setup();
  m.actor.send({ type: 'demand' });
  m.connects[0]?.resolve();
  await flush();
  m.actor.send({ type: 'moving', seq: 1, target, delayMs: 0 });
  m.clock.increment(0);
  m.moves[0]?.reject(new Error('dial refused'));
  await flush();
  assert.is(m.value(), '{"subscribed":"steady"}');
  assert.ok(m.log.includes('moveFailed:1:dial refused'));
  m.state.alive = false;
  m.actor.send({ type: 'moving', seq: 2, target, delayMs: 0 });
  m.clock.increment(0);
  m.moves[1]?.reject(new Error('new socket lost'));
  await flush();
  assert.is(m.value(), '"waiting"');
  m.clock.increment(50);
  assert.is(m.value(), '"connecting"');
  m.actor.send({ type: 'close' });
  await flush();
  assert.is(m.actor.getSnapshot().status, 'done');
  assert.ok(m.log.includes('closeAll'));
});

test('an idle subscriber socket is pinged every 10 s (a vanished peer then shows as a missing reply)', async () => {
  const m = setup();
  m.actor.send({ type: 'demand' });
  m.connects[0]?.resolve();
  await flush();
  m.clock.increment(9_999);
  assert.not.ok(m.log.includes('ping'));
  m.clock.increment(1);
  m.clock.increment(10_000);
  assert.is(m.log.filter((entry) => entry === 'ping').length, 2);
  m.actor.stop();
});

test('socket.lost while subscribed: waiting, then connecting again', async () => {
  const m = setup();
  m.actor.send({ type: 'demand' });
  m.connects[0]?.resolve();
  await flush();
  m.actor.send({ type: 'socket.lost', reason: 'ECONNRESET' });
  assert.is(m.value(), '"waiting"');
  assert.is(m.actor.getSnapshot().context.lastError, 'ECONNRESET');
  m.clock.increment(50);
  m.connects[1]?.resolve();
  await flush();
  assert.is(m.value(), '{"subscribed":"steady"}');
  assert.is(m.actor.getSnapshot().context.attempt, 0);
  m.actor.stop();
});

test.run();
