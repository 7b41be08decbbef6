import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient, type ClientState } from '../../src/index.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { clientFor, until } from '../helpers/client.js';

let server: RedisProcess;
test.before(async () => {
  server = await startRedis();
});
test.after(async () => {
  await server.stop();
});

test('events$ shows each connection created → ready → (lost → reconnecting → ready) → closed', async () => {
  const { client, events } = clientFor(server, { poolSize: 2, clientName: 'events-test' });
  await client.connect();
  // The first connection opens alone; the others right after it is ready.
  await until(() => events.filter((e) => e.type === 'connection.created').length === 2, 2000, 'both connections created');
  const ids = events.filter((e) => e.type === 'connection.created').map((e) => (e.type === 'connection.created' ? e.connectionId : ''));
  assert.is(ids.length, 2);
  // connect() resolves with the first ready connection; the rest follow.
  assert.ok(events.some((e) => e.type === 'connection.ready'));
  for (const id of ids) await until(() => events.some((e) => e.type === 'connection.ready' && e.connectionId === id), 2000, `${id} ready`);
  // Kill one connection server-side: it is lost, reconnects and is ready again.
  const list = String(await client.call('CLIENT', 'LIST'));
  const victim = /^id=(\d+) .* name=events-test /m.exec(list)?.[1];
  assert.ok(victim);
  const readyBefore = events.filter((e) => e.type === 'connection.ready').length;
  await client.call('CLIENT', 'KILL', 'ID', victim as string, 'SKIPME', 'no').catch(() => undefined);
  await until(() => events.filter((e) => e.type === 'connection.ready').length > readyBefore, 5000, 'a reconnect');
  const lost = events.find((e) => e.type === 'connection.lost');
  const reconnecting = events.find((e) => e.type === 'connection.reconnecting');
  assert.ok(lost && reconnecting);
  if (reconnecting?.type === 'connection.reconnecting') {
    assert.is(reconnecting.attempt, 1);
    assert.ok(reconnecting.delayMs >= 25 && reconnecting.delayMs <= 50, `first reconnect waits 25..50 ms (jittered), got ${reconnecting.delayMs}`);
  }
  await client.close();
  const closed = events.filter((e) => e.type === 'connection.closed').map((e) => (e.type === 'connection.closed' ? e.connectionId : ''));
  assert.equal(closed.sort(), ids.sort());
  // Every event carries a timestamp and a literal type.
  assert.ok(events.every((e) => typeof e.at === 'number' && e.type.includes('.')));
});

test('close() completes events$, notifications$ and state$', async () => {
  const { client } = clientFor(server, { poolSize: 1 });
  const completed: string[] = [];
  const states: ClientState[] = [];
  client.events$.subscribe({ complete: () => completed.push('events$') });
  client.notifications$.subscribe({ complete: () => completed.push('notifications$') });
  client.state$.subscribe({ next: (state) => states.push(state), complete: () => completed.push('state$') });
  await client.connect();
  await client.close();
  assert.equal(completed.sort(), ['events$', 'notifications$', 'state$']);
  assert.is(states[0]?.status, 'new');
  assert.ok(states.some((s) => s.status === 'ready' && s.connections.length === 1 && s.connections[0]?.state === 'idle'));
  assert.is(states[states.length - 1]?.status, 'closed');
  // A late subscriber gets the final state and completion at once.
  let late: ClientState | undefined;
  let lateCompleted = false;
  client.state$.subscribe({ next: (s) => (late = s), complete: () => (lateCompleted = true) });
  assert.is(late?.status, 'closed');
  assert.ok(lateCompleted);
});

test('streams and pub/sub first looked at after close() are complete at once (they are made on first use)', async () => {
  const client = createMaintClient({ host: server.host, port: server.port, poolSize: 1 });
  await client.connect();
  assert.is(await client.call('PING'), 'PONG');
  await client.close();
  const completed: string[] = [];
  const states: ClientState[] = [];
  client.events$.subscribe({ next: () => completed.push('an event after close'), complete: () => completed.push('events$') });
  client.notifications$.subscribe({ complete: () => completed.push('notifications$') });
  client.state$.subscribe({ next: (state) => states.push(state), complete: () => completed.push('state$') });
  client.subscribe$('late').subscribe({ complete: () => completed.push('subscribe$'), error: () => completed.push('subscribe$ failed') });
  assert.equal(completed.sort(), ['events$', 'notifications$', 'state$', 'subscribe$']);
  assert.equal(states.map((s) => s.status), ['closed']);
  const refused = await client.subscribe(['late'], () => {}).then(() => 'subscribed', (error: { code?: string }) => error.code);
  assert.is(refused, 'ERR_CLIENT_CLOSED');
});

test('connect() against a dead endpoint rejects with ERR_CONNECT and leaves nothing running', async () => {
  const dead = await startRedis();
  const port = dead.port;
  await dead.stop();
  const { client, events } = clientFor({ ...server, port } as RedisProcess, { poolSize: 2, connectTimeout: 500 });
  const error = await client.connect().then(() => null, (e: unknown) => e as { code?: string });
  assert.is(error?.code, 'ERR_CONNECT');
  assert.is(events.filter((e) => e.type === 'connection.closed').length, 2);
  assert.is(client.state().status, 'closed');
});

test('close() while connect() is still resolving the endpoint type: connect() rejects ERR_CLIENT_CLOSED, no connection left', async () => {
  // A host name makes the endpoint type a DNS lookup, so connect() has something to wait for.
  const { client } = clientFor({ ...server, host: 'localhost' } as unknown as RedisProcess, { poolSize: 2 });
  const connecting = client.connect().then(() => null, (e: unknown) => e as { code?: string });
  await client.close();
  const error = await connecting;
  assert.is(error?.code, 'ERR_CLIENT_CLOSED');
  assert.equal(client.state().connections, []);
});

test.run();
