import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Socket } from 'node:net';
import type { InspectionEvent } from 'xstate';
import { createMaintClient } from '../../src/index.js';
import { settled } from '../helpers/client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

/**
 * A pool's first socket is dialled before its connection's actor is made and started, so that
 * the TCP connect runs meanwhile; the connection takes that socket for its first attempt. A dial
 * that nobody takes (the client closed at once, a credentials provider that throws) is closed.
 */
let server: RedisProcess;
let admin: ReturnType<typeof createMaintClient>;
test.before(async () => {
  server = await startRedis();
  admin = createMaintClient({ host: server.host, port: server.port, poolSize: 1, clientName: 'admin' });
  await admin.connect();
});
test.after(async () => {
  await admin?.close();
  await server?.stop();
});

/** Clients the server sees, besides the admin connection. */
const others = async () => String(await admin.call('CLIENT', 'LIST')).split('\n').filter((line) => line.includes('id=') && !line.includes('name=admin')).length;

test('the first dial starts before the connection actor exists, and that socket serves the connection', async () => {
  const order: string[] = [];
  const connect = Socket.prototype.connect;
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    order.push('dial');
    return (connect as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof Socket.prototype.connect;
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.actor' && (event.actorRef as { id?: string }).id === 'c1') order.push('actor c1');
  };
  const client = createMaintClient({ host: server.host, port: server.port, poolSize: 1, inspect });
  try {
    await client.connect();
    assert.equal(order, ['dial', 'actor c1'], 'one dial, before the actor');
    assert.is(await client.call('PING'), 'PONG');
  } finally {
    Socket.prototype.connect = connect;
    await client.close();
  }
});

test('a client closed while its first socket is being dialled leaves no socket on the server', async () => {
  assert.is(await settled(others, 0), 0, 'no client left from the earlier test');
  const client = createMaintClient({ host: server.host, port: server.port, poolSize: 2 });
  const connecting = client.connect();
  await client.close();
  await connecting.then(
    () => assert.unreachable('connected after close'),
    (error: { code?: string }) => assert.is(error.code, 'ERR_CLIENT_CLOSED'),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.is(await settled(others, 0), 0);
});

test('a credentials provider that throws: connect() fails ERR_AUTH and the early socket is closed', async () => {
  assert.is(await settled(others, 0), 0, 'no client left from the earlier test');
  const client = createMaintClient({
    host: server.host,
    port: server.port,
    poolSize: 1,
    connectTimeout: 500,
    credentials: () => {
      throw new Error('vault unreachable');
    },
  });
  try {
    await client.connect().then(
      () => assert.unreachable('connected without credentials'),
      (error: { code?: string }) => assert.is(error.code, 'ERR_AUTH'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.is(await settled(others, 0), 0);
  } finally {
    await client.close();
  }
});

test.run();
