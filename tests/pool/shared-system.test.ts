import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SimulatedClock, type AnyActorRef, type InspectionEvent } from 'xstate';
import { createMaintClient, type MaintClient } from '../../src/index.js';
import { until } from '../helpers/client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

/**
 * Clients that are not inspected keep their actors in one XState system per clock (saving a
 * system per client); an inspected client has its own, and sees only its own actors. Nothing is
 * kept there for a client that was closed or never connected: both are garbage collected.
 */
let server: RedisProcess;
test.before(async () => {
  server = await startRedis();
});
test.after(async () => {
  await server?.stop();
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const systemOf = (client: MaintClient) => ((client as unknown as { pool: { actors: { actor: AnyActorRef } } }).pool.actors.actor as AnyActorRef).system;


const poolActor = (client: MaintClient) => (client as unknown as { pool: { actors: { actor: AnyActorRef | null } } }).pool.actors.actor;

test('clients on the same clock share one actor system; another clock, or an inspector, gets its own', async () => {
  const a = createMaintClient({ host: server.host, port: server.port, poolSize: 1, });
  const b = createMaintClient({ host: server.host, port: server.port, poolSize: 2, });
  const events: InspectionEvent[] = [];
  const inspected = createMaintClient({ host: server.host, port: server.port, poolSize: 1, inspect: (event: InspectionEvent) => events.push(event) });
  const clock = new SimulatedClock();
  const simulated = createMaintClient({ host: server.host, port: server.port, poolSize: 1 }, { clock: clock as never });
  const admin = createMaintClient({ host: server.host, port: server.port, poolSize: 1 });
  try {
    await Promise.all([a.connect(), b.connect(), inspected.connect(), simulated.connect(), admin.connect()]);
    await until(() => b.state().connections.filter((c) => c.state === 'idle').length === 2, 5000, 'b fully open');
    // Open and idle: nothing to supervise yet, so no actor at all (an inspected client has its own from the start).
    assert.is(poolActor(a), null);
    assert.is(poolActor(b), null);
    assert.is.not(poolActor(inspected), null);
    // A lost socket gives each its actors: they are made where the connection is, and share the system.
    assert.ok(Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes')) >= 5);
    await until(() => poolActor(a) !== null && poolActor(b) !== null && poolActor(simulated) !== null, 5000, 'actors made on the lost sockets');
    assert.is(systemOf(a), systemOf(b));
    assert.is.not(systemOf(inspected), systemOf(a));
    assert.is.not(systemOf(simulated), systemOf(a));
    assert.is(systemOf(simulated)._clock as unknown, clock, 'delayed transitions run on the client’s own clock');
    assert.is(await a.call('PING'), 'PONG');
    assert.is(await b.call('PING'), 'PONG');
    // The inspector sees its client's pool and connection, not the other clients' actors.
    const ids = new Set(events.filter((event) => event.type === '@xstate.actor').map((event) => (event.actorRef as AnyActorRef).id));
    assert.ok(ids.has('c1'), [...ids].join(','));
    const sessions = new Set(events.map((event) => event.actorRef.sessionId));
    for (const other of [a, b]) assert.not.ok(sessions.has((poolActor(other) as AnyActorRef).sessionId));
  } finally {
    await Promise.all([a.close(), b.close(), inspected.close(), simulated.close(), admin.close()]);
  }
});

test('a closed client and a client never connected are garbage collected (the shared system keeps neither)', async () => {
  const refs: Array<WeakRef<MaintClient>> = [];
  await (async () => {
    for (let i = 0; i < 5; i++) {
      const used = createMaintClient({ host: server.host, port: server.port, poolSize: 2 });
      await used.connect();
      await used.set(`gc:${i}`, 'v');
      await used.close();
      refs.push(new WeakRef(used), new WeakRef(createMaintClient({ host: server.host, port: server.port })));
    }
  })();
  // Closed sockets are released by the event loop a few turns later: up to 2 s.
  for (let i = 0; i < 100 && refs.some((ref) => ref.deref() !== undefined); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
  assert.equal(refs.flatMap((ref, i) => (ref.deref() === undefined ? [] : [i])), [], 'clients still reachable (index: even = used, odd = never connected)');
});

test('close() of a client never connected resolves, and connect() after it is refused', async () => {
  const client = createMaintClient({ host: server.host, port: server.port });
  await client.close();
  await client.connect().then(
    () => assert.unreachable('connected after close'),
    (error: { code?: string }) => assert.is(error.code, 'ERR_CLIENT_CLOSED'),
  );
});

test.run();
