/**
 * Bytes that are not RESP in the same chunk as the last handshake reply: the socket is lost before
 * its connection listens for losses. The attempt must fail typed (and be retried), never leave a
 * connection "idle" on a dead socket that takes no command and is never redialled.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ConnectionError, createMaintClient, type LifecycleEvent } from '../../src/index.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

let server: RedisProcess;
test.before(async () => {
  server = await startRedis();
});
test.after(async () => {
  await server?.stop();
});

/** A proxy in front of the real server that appends garbage to the first reply chunk of the first `spoiled` connections. */
async function spoilingProxy(spoiled: number): Promise<{ port: number; accepted(): number; close(): Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((client) => {
    const spoil = accepted++ < spoiled;
    const upstream = connect(server.port, server.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    let first = spoil;
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => {
      client.write(first ? Buffer.concat([data, Buffer.from('?garbage\r\n')]) : data);
      first = false;
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as AddressInfo).port,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

test('every first attempt spoiled: connect() rejects with a typed ERR_CONNECTION_LOST that says the bytes were not RESP', async () => {
  const proxy = await spoilingProxy(Infinity);
  const client = createMaintClient({ host: '127.0.0.1', port: proxy.port, poolSize: 1 });
  try {
    const error = await client.connect().then(
      () => assert.unreachable('connected through a spoiled handshake'),
      (caught: unknown) => caught,
    );
    assert.instance(error, ConnectionError);
    assert.is((error as ConnectionError).code, 'ERR_CONNECTION_LOST');
    assert.match((error as Error).message, /not RESP/);
  } finally {
    await client.close();
    await proxy.close();
  }
});

test('one spoiled connection of two: connect() resolves, the spoiled one is redialled and serves commands', async () => {
  const proxy = await spoilingProxy(1);
  const client = createMaintClient({ host: '127.0.0.1', port: proxy.port, poolSize: 2 });
  const events: LifecycleEvent[] = [];
  const subscription = client.events$.subscribe((event) => events.push(event));
  try {
    await client.connect();
    const reconnecting = events.find((event) => event.type === 'connection.reconnecting');
    assert.ok(reconnecting !== undefined && reconnecting.type === 'connection.reconnecting' && /not RESP/.test(reconnecting.reason), 'the spoiled attempt is reported');
    for (let i = 0; i < 200 && client.state().connections.filter((c) => c.state === 'idle').length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(client.state().connections.map((c) => c.state), ['idle', 'idle'], 'both connections open');
    assert.is(proxy.accepted(), 3, 'the spoiled connection dialled once more');
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => client.call('ECHO', `m${i}`)));
    assert.equal(replies, Array.from({ length: 8 }, (_, i) => `m${i}`));
  } finally {
    subscription.unsubscribe();
    await client.close();
    await proxy.close();
  }
});

test.run();
