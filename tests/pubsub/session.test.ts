import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventInit } from '../../src/events.js';
import type { PubSubMessage } from '../../src/index.js';
import { createLogger } from '../../src/log.js';
import type { SocketOwner } from '../../src/pool/opener.js';
import type { Endpoint } from '../../src/protocol/endpoint.js';
import { PubSubSession, type SessionDependencies } from '../../src/pubsub/session.js';
import { systemClock } from '../../src/transport/clock.js';
import { openConnection } from '../../src/transport/open.js';
import { until } from '../helpers/client.js';
import { freePort } from '../../src/simulator/redis-process.js';
import { clientFor } from '../helpers/client.js';
import { startRedis } from '../helpers/redis.js';

/** A session on its own (no client): sockets opened with the transport's dial + handshake; `gate` can hold an endpoint's dials. */
function sessionFor(current: () => Endpoint, configured: Endpoint, protocol: 2 | 3 = 3) {
  const events: EventInit[] = [];
  const gates = new Map<number, Promise<void>>();
  const deps: SessionDependencies = {
    id: 'ps',
    async open(owner: SocketOwner, endpoint: Endpoint, signal: AbortSignal) {
      await gates.get(endpoint.port);
      return openConnection({
        endpoint,
        clock: systemClock,
        dial: { tls: false, connectTimeout: 300, signal },
        handshake: { protocol, database: 0, libName: 'test', libVersion: '0', maintOptIn: false },
        handlers: { onPush: (frame) => owner.onPush(frame), onLost: (error, pipeline) => owner.onLost(pipeline, error.message), pushBuffers: () => owner.pushBuffers?.() === true },
      });
    },
    currentEndpoint: current,
    configuredEndpoint: configured,
    clock: systemClock,
    emit: (event) => events.push(event),
    logger: createLogger('error'),
    commandTimeoutMs: 1000,
    fenceTimeoutMs: 1000,
    followMoves: true,
    moveAttempts: 1,
  };
  const session = new PubSubSession(deps);
  return { session, events, gates };
}

test('connect: when the current address does not answer, the configured one is tried', async () => {
  const server = await startRedis();
  const dead = { host: '127.0.0.1', port: await freePort() };
  const { session, events } = sessionFor(() => dead, { host: server.host, port: server.port });
  try {
    const got: string[] = [];
    session.registry.add('channel', ['u:ch'], { listener: (m: PubSubMessage) => got.push(m.message), buffers: false });
    await session.changed('channel', ['u:ch']);
    assert.ok(events.some((e) => e.type === 'pubsub.connected' && e.endpoint === `${server.host}:${server.port}`));
  } finally {
    await session.close();
    await server.stop();
  }
});

test('a move whose old socket dies before the new one is subscribed: no fence possible, the new socket delivers, the outcome says so', async () => {
  const server = await startRedis();
  const admin = clientFor(server).client;
  const endpoint = { host: server.host, port: server.port };
  const { session, events, gates } = sessionFor(() => endpoint, endpoint);
  try {
    await admin.connect();
    const got: string[] = [];
    session.registry.add('channel', ['u:move'], { listener: (m: PubSubMessage) => got.push(m.message), buffers: false });
    await session.changed('channel', ['u:move']);
    let release!: () => void;
    gates.set(server.port, new Promise<void>((resolve) => (release = resolve)));
    // localhost: another name for the same server, so the move has somewhere to go.
    session.onMaintenance(session.current!, ['MOVING', 7, 5, `localhost:${server.port}`]);
    await until(() => session.state === 'moving', 1000, 'moving');
    session.onMaintenance(session.current!, ['MOVING', 'x']);
    session.onMaintenance(session.current!, ['message', 'not', 'maintenance']);
    assert.equal(events.filter((e) => e.type.startsWith('notification.')).map((e) => e.type), ['notification.received', 'notification.invalid'], 'the subscriber socket reports its notifications like any connection');
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await new Promise((resolve) => setTimeout(resolve, 50));
    gates.delete(server.port);
    release();
    await until(() => events.some((e) => e.type === 'pubsub.moved'), 3000, 'moved');
    const moved = events.find((e) => e.type === 'pubsub.moved');
    assert.ok(moved?.type === 'pubsub.moved' && !moved.exact && moved.reason === 'the old socket closed before the new one was subscribed', JSON.stringify(moved));
    assert.is(events.filter((e) => e.type === 'pubsub.lost').length, 0, 'the move, not a reconnect, took over');
    assert.is(await admin.publish('u:move', 'after'), 1);
    await until(() => got.includes('after'), 2000);
  } finally {
    await session.close();
    await admin.close();
    await server.stop();
  }
});

test('a socket that settled on RESP2 never carries subscriptions: the subscribe fails typed, and the session stops dialling', async () => {
  const server = await startRedis();
  const endpoint = { host: server.host, port: server.port };
  const { session } = sessionFor(() => endpoint, endpoint, 2);
  try {
    const entry = { listener: () => {}, buffers: false };
    session.registry.add('channel', ['u:two'], entry);
    const failure = await session.changed('channel', ['u:two']).then(() => 'resolved', (error: Error & { code?: string }) => `${error.code}: ${error.message}`);
    assert.match(failure, /^ERR_CONNECT: .*needs RESP3/);
    session.registry.remove('channel', ['u:two'], entry);
    await until(() => session.state === 'idle', 2000, 'idle once nobody listens');
  } finally {
    await session.close();
    await server.stop();
  }
});

test('close() while a move waits for its marker: both sockets are closed, none outlives the session', async () => {
  const server = await startRedis();
  const admin = clientFor(server).client;
  const endpoint = { host: server.host, port: server.port };
  const { session, events } = sessionFor(() => endpoint, endpoint);
  try {
    await admin.connect();
    session.registry.add('channel', ['u:close'], { listener: () => {}, buffers: false });
    await session.changed('channel', ['u:close']);
    const old = session.current!;
    const marker = session.onMarker.bind(session);
    session.onMarker = (leg, token) => (leg === old ? undefined : marker(leg, token)); // the old socket never sees it
    session.onMaintenance(old, ['MOVING', 9, 5, `localhost:${server.port}`]);
    await until(() => session.state === 'moving', 1000, 'moving');
    for (let i = 0; i < 100; i++) {
      if (((await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string).trim().split('\n').length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    await session.close();
    await until(() => old.lost, 1000);
    let left = '';
    for (let i = 0; i < 100; i++) {
      left = ((await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string).trim();
      if (left === '') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.is(left, '', 'no subscriber socket left on the server');
    assert.is(events.filter((e) => e.type === 'pubsub.moved').length, 0);
  } finally {
    await session.close();
    await admin.close();
    await server.stop();
  }
});

test('after close(): changes are refused, and closing twice is fine', async () => {
  const { session } = sessionFor(() => ({ host: '127.0.0.1', port: 1 }), { host: '127.0.0.1', port: 1 });
  await session.close();
  await session.close();
  const code = await session.changed('channel', ['x']).then(() => 'resolved', (error: Error & { code?: string }) => error.code);
  assert.is(code, 'ERR_CLIENT_CLOSED');
});

test.run();
