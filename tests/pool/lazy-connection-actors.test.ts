import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock, type AnyActorRef } from 'xstate';
import { createMaintClient, type LifecycleEvent, type MaintClient } from '../../src/index.js';
import type { ClientInternals } from '../../src/client/client.js';
import { Connection, type ConnectionHost } from '../../src/pool/connection.js';
import type { Pipeline } from '../../src/transport/pipeline.js';
import { DEDICATED_IDLE_MS } from '../../src/pool/dedicated.js';
import { freePort } from '../../src/simulator/redis-process.js';
import { settled, until } from '../helpers/client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { simulatedClient } from '../helpers/simulated.js';

/**
 * A connection that is not inspected gets its actor (and the pool its supervising actor) only
 * when there is something to supervise: a failed first attempt, a maintenance order, a lost
 * socket. Until then it is a socket and a few fields; from then on the machine runs as ever,
 * starting where the connection is.
 */
let server: RedisProcess;
test.before(async () => {
  server = await startRedis();
});
test.after(async () => {
  await server?.stop();
});

interface PoolInternals {
  actors: { actor: AnyActorRef | null };
  connections: Map<string, { ref: AnyActorRef | null }>;
}
const poolOf = (client: MaintClient) => {
  const pool = (client as unknown as { pool: PoolInternals }).pool;
  return { actor: pool.actors.actor, connections: pool.connections };
};
const refs = (client: MaintClient) => [...poolOf(client).connections.values()].map((c) => c.ref);

/** A client named `clientName` on the test's server, its events, and an admin client that sees its sockets. */
function rig(clientName: string, options: { poolSize: number }, internals: ClientInternals = {}) {
  const client = createMaintClient({ host: server.host, port: server.port, clientName, ...options }, internals);
  const admin = createMaintClient({ host: server.host, port: server.port, poolSize: 1 });
  const events: LifecycleEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  return {
    client,
    admin,
    events,
    connect: () => Promise.all([client.connect(), admin.connect()]),
    /** The server's CLIENT LIST lines of the client's sockets. */
    sockets: async () => String(await admin.call('CLIENT', 'LIST')).split('\n').filter((line) => line.includes(`name=${clientName}`)),
    close: () => Promise.all([client.close(), admin.close()]),
  };
}

test('an open, idle pool has no actors; a maintenance notification makes them, and the connections relax as before', async () => {
  const setup = await simulatedClient({ poolSize: 2, maintNotifications: { relaxedTimeout: 1500 } });
  try {
    const { sim, client } = setup;
    assert.is(poolOf(client).actor, null);
    assert.equal(refs(client), [null, null]);
    assert.is(await client.set('lazy:k', 'v'), 'OK', 'commands need no actor');
    const migrating = sim.run({ type: 'migrate', parameters: { time_s: 1, duration_s: 0.3, delay_ms: 0 } });
    await until(() => client.state().connections.every((c) => c.state === 'relaxed'), 3000, 'both connections relaxed');
    assert.ok(poolOf(client).actor !== null, 'the pool actor was made');
    for (const ref of refs(client)) assert.ok(ref !== null && ref._parent === poolOf(client).actor, 'each connection has its actor, under the pool actor');
    await migrating;
    await until(() => client.state().connections.every((c) => c.state === 'idle'), 3000, 'unrelaxed by MIGRATED');
    assert.is(await client.get('lazy:k'), 'v');
  } finally {
    await setup.close();
  }
});

test('a first attempt that fails makes the actor in reconnecting (attempt 1, nothing lost); connect() fails with the attempt’s error', async () => {
  const port = await freePort();
  const client = createMaintClient({ host: '127.0.0.1', port, poolSize: 1, connectTimeout: 300 });
  const events: LifecycleEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  try {
    const error = (await client.connect().then(
      () => assert.unreachable('connected to nothing'),
      (e: unknown) => e,
    )) as { code?: string; message: string };
    assert.is(error.code, 'ERR_CONNECT', error.message);
    const reconnecting = events.find((e) => e.type === 'connection.reconnecting');
    assert.ok(reconnecting !== undefined && reconnecting.type === 'connection.reconnecting');
    assert.is(reconnecting.attempt, 1);
    assert.not.ok(events.some((e) => e.type === 'connection.lost'), 'a first attempt that fails lost nothing');
    assert.ok(poolOf(client).actor !== null, 'the actors were made to run the backoff');
  } finally {
    await client.close();
  }
  assert.is(client.state().connections.length, 0);
});

test('close() while the first attempt runs: connect() is refused, nothing stays open, no actor was made', async () => {
  const client = createMaintClient({ host: server.host, port: server.port, poolSize: 2 });
  const events: LifecycleEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  const connecting = client.connect().then(
    () => 'connected',
    (e: { code?: string }) => e.code,
  );
  await client.close();
  assert.is(await connecting, 'ERR_CLIENT_CLOSED');
  assert.is(poolOf(client).actor, null);
  assert.equal(events.filter((e) => e.type === 'connection.closed').map((e) => e.type === 'connection.closed' && e.connectionId), ['c1']);
  assert.not.ok(events.some((e) => e.type === 'connection.ready'));
});

test('close() of an open pool without actors drains and closes every socket', async () => {
  const r = rig('lazy-close', { poolSize: 3 });
  const { client } = r;
  const count = async () => (await r.sockets()).length;
  try {
    await r.connect();
    await until(() => client.state().connections.filter((c) => c.state === 'idle').length === 3, 5000, 'pool open');
    assert.is(await count(), 3);
    const pending = client.get('lazy:close');
    await client.close();
    assert.is(await pending, null, 'the command in flight was answered before the socket closed');
    assert.is(poolOf(client).actor, null);
    assert.is(await settled(count, 0), 0);
  } finally {
    await r.close();
  }
});

test('a socket lost while idle and without an actor: the actor is made in ready, and it reconnects', async () => {
  const r = rig('lazy-lost', { poolSize: 1 });
  const { client, admin, events } = r;
  try {
    await r.connect();
    assert.is(refs(client)[0], null);
    const id = String(await client.call('CLIENT', 'ID'));
    await admin.call('CLIENT', 'KILL', 'ID', id);
    await until(() => events.filter((e) => e.type === 'connection.ready').length === 2, 5000, 'ready again');
    assert.equal(
      events.filter((e) => e.type.startsWith('connection.') && e.type !== 'connection.created').map((e) => e.type),
      ['connection.ready', 'connection.lost', 'connection.reconnecting', 'connection.ready'],
    );
    assert.ok(refs(client)[0] !== null);
    assert.is(await client.call('PING'), 'PONG');
  } finally {
    await r.close();
  }
});

test('close() with connections with and without an actor waits for all of them: every connection.closed comes before it resolves', async () => {
  const r = rig('lazy-mixed', { poolSize: 2 });
  const { client, admin, events } = r;
  try {
    await r.connect();
    await until(() => client.state().connections.filter((c) => c.state === 'idle').length === 2, 5000, 'pool open');
    // One connection loses its socket: it gets an actor and reconnects; the other stays without one.
    const [first] = await r.sockets();
    await admin.call('CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(first as string)?.[1] as string);
    await until(() => refs(client).filter((ref) => ref !== null).length === 1 && client.state().connections.every((c) => c.state === 'idle'), 5000, 'one actor, both idle');
    // A command in flight on each connection (the server busy for 100 ms): closing drains them before the sockets close.
    const busy = client.call('EVAL', BUSY_100MS, '0');
    await turn();
    const get = client.get('lazy:b');
    assert.equal(client.state().connections.map((c) => c.inflight), [1, 1]);
    await client.close();
    const closed = events.filter((e) => e.type === 'connection.closed').map((e) => e.connectionId).sort();
    assert.equal(closed, ['c1', 'c2'], 'both closed before close() resolved');
    assert.equal(await Promise.all([busy, get]), [1, null]);
  } finally {
    await r.close();
  }
});

test('a dedicated connection without an actor, unused for DEDICATED_IDLE_MS, closes by itself and leaves no socket', async () => {
  const clock = new SimulatedClock();
  const r = rig('lazy-dedicated', { poolSize: 1 }, { clock: clock as never });
  const { client, events } = r;
  const count = async () => (await r.sockets()).length;
  try {
    await r.connect();
    assert.is(await client.blpop('lazy:empty', 0.01), null);
    const dedicated = () => client.state().connections.filter((c) => c.dedicated);
    assert.is(dedicated().length, 1);
    assert.is(poolOf(client).connections.get(dedicated()[0]!.id)?.ref, null, 'lent and given back without an actor');
    assert.is(await count(), 2);
    clock.increment(DEDICATED_IDLE_MS - 1);
    assert.is(dedicated().length, 1, 'kept while it may be lent again');
    clock.increment(1);
    await until(() => events.some((e) => e.type === 'connection.closed' && e.connectionId === 'd2'), 3000, 'the dedicated connection closed');
    assert.is(dedicated().length, 0);
    assert.is(await settled(count, 1), 1, 'its socket is gone from the server');
  } finally {
    await r.close();
  }
});

/** A Lua script that keeps the server busy for 100 ms. */
const BUSY_100MS = 'local t = redis.call("TIME") local s = t[1] * 1e6 + t[2] while true do local n = redis.call("TIME") if n[1] * 1e6 + n[2] - s > 100000 then return 1 end end';

/** A Connection on a host whose first attempt the test settles, and whose actor is a recorder. */
function firstAttempt(faults: { materialize?: boolean; end?: boolean } = {}) {
  let settle!: { resolve(value: unknown): void; reject(error: Error): void };
  const materialized: unknown[] = [];
  const internalErrors: unknown[] = [];
  const clock = new SimulatedClock();
  const sent: unknown[] = [];
  const states: string[] = [];
  const fakeRef = { send: (event: unknown) => void sent.push(event), subscribe: () => ({ unsubscribe() {} }), getSnapshot: () => ({ status: 'active', value: { ready: 'idle' }, context: { relaxSources: {}, moving: null } }) };
  const ends: string[] = [];
  let drained!: () => void;
  const end = async () => {
    ends.push('end');
    if (faults.end !== true) return;
    await new Promise<void>((resolve) => (drained = resolve));
    throw new Error('flush failed');
  };
  const pipeline = { writable: true, inflightCount: 0, relax() {}, destroy() {}, end } as unknown as Pipeline;
  const host: ConnectionHost = {
    open: () => new Promise((resolve, reject) => (settle = { resolve, reject })) as never,
    onPush: () => {},
    onStateChange: (c) => void states.push(c.state),
    onRoutableChange: () => {},
    onRelaxChange: () => {},
    materialize: (c, startIn) => {
      if (faults.materialize === true) throw new Error('no pool actor');
      materialized.push(startIn);
      c.attach(fakeRef as never);
    },
    onInternalError: (_c, error) => void internalErrors.push(error),
    closeGraceMs: 10,
    clock: clock as never,
    relaxedTimeoutMs: 1000,
  };
  const connection = new Connection('c1', { host: 'h', port: 1 }, false, host);
  connection.firstOpen();
  const opened = () => settle.resolve({ pipeline, endpoint: { host: 'h', port: 1 }, maint: 'supported' });
  return { connection, materialized, sent, states, ends, internalErrors, clock, drain: () => drained(), opened, failed: (error: Error) => settle.reject(error) };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));
const relaxAdd = { type: 'relax.add' as const, source: 'MIGRATING:7', backstopMs: 3000 };

test('orders that come during the first attempt wait for it, then go to the actor made in ready', async () => {
  const h = firstAttempt();
  h.connection.order(relaxAdd);
  assert.equal(h.materialized, [], 'no actor while the attempt runs');
  h.opened();
  await turn();
  assert.equal(h.states, ['idle']);
  assert.equal(h.materialized, [{ state: 'ready' }]);
  assert.equal(h.sent, [relaxAdd]);
  // From then on, orders go straight to the actor.
  h.connection.order({ type: 'relax.remove', family: 'MIGRATING', seq: 7 });
  assert.is(h.sent.length, 2);
});

test('orders that come during a first attempt that fails go to the actor made in reconnecting', async () => {
  const h = firstAttempt();
  h.connection.order(relaxAdd);
  h.failed(new Error('ECONNREFUSED'));
  await turn();
  assert.equal(h.materialized, [{ state: 'reconnecting', lastError: 'ECONNREFUSED' }]);
  assert.equal(h.sent, [relaxAdd]);
});

test('closed during its first attempt: the attempt is aborted, its orders dropped, no actor made', async () => {
  const h = firstAttempt();
  h.connection.order(relaxAdd);
  const closing = h.connection.closeWithoutActor();
  h.opened();
  await closing;
  await turn();
  assert.equal(h.states, ['closing', 'closed']);
  assert.equal(h.materialized, []);
  assert.equal(h.sent, []);
  h.connection.order(relaxAdd);
  assert.equal(h.materialized, [], 'a closed connection takes no more orders');
});

test('a relaxation told during the first attempt keeps its backstop from when it was told; one that lapsed meanwhile is not given', async () => {
  const h = firstAttempt();
  h.clock.increment(100);
  h.connection.order(relaxAdd);
  h.connection.order({ ...relaxAdd, source: 'FAILING_OVER:8', backstopMs: 500 });
  h.connection.order({ ...relaxAdd, source: 'MIGRATING:9', backstopMs: 1200 });
  const remove = { type: 'relax.remove' as const, family: 'MIGRATING' as const, seq: 9 };
  h.connection.order(remove);
  h.clock.increment(1200);
  h.opened();
  await turn();
  assert.equal(h.sent, [{ ...relaxAdd, backstopMs: 1800 }, remove], 'the lapsed ones (500 and exactly 1200 ms) are not given; other orders are');
});

test('a MOVING told twice during the first attempt: the second is seen as a duplicate, as the machine would see it', () => {
  const h = firstAttempt();
  const moving = { type: 'moving' as const, seq: 4, endpoint: '10.0.0.2:6379', target: '10.0.0.2:6379', beginAt: 0, deadlineAt: 15_000 };
  assert.equal(h.connection.seenMovings(), []);
  h.connection.order(relaxAdd);
  h.connection.order(moving);
  assert.equal(h.connection.seenMovings(), ['4|10.0.0.2:6379'], 'the MOVINGs held, and only those');
});

test('no actor can be made when the first attempt ends: the connection is closed (to be replaced) and the defect reported, nothing unhandled', async () => {
  const h = firstAttempt({ materialize: true });
  h.connection.order(relaxAdd);
  h.opened();
  await turn();
  assert.is(h.connection.state, 'closed');
  assert.equal(h.states, ['idle', 'closed']);
  assert.is(h.internalErrors.length, 1);
  assert.match(String(h.internalErrors[0]), /no pool actor/);
});

test('a second close waits for the first; a socket whose close throws still ends closed', async () => {
  const h = firstAttempt({ end: true });
  h.opened();
  await turn();
  const first = h.connection.closeWithoutActor();
  let secondDone = false;
  const second = h.connection.closeWithoutActor().then(() => (secondDone = true));
  await turn();
  assert.is(secondDone, false, 'the second close waits while the socket drains');
  assert.is(h.connection.state, 'closing');
  h.drain();
  await Promise.all([first, second]);
  assert.equal(h.ends, ['end']);
  assert.equal(h.states, ['idle', 'closing', 'closed']);
});

test.run();
