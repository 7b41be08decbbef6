/** Opening a socket honours its AbortSignal through one listener that lives as long as the open: while dialling, during the handshake, and gone after either. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { ConnectionError } from '../../src/errors.js';
import { systemClock } from '../../src/transport/clock.js';
import { openConnection } from '../../src/transport/open.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

let redis: RedisProcess;
/** Accepts and reads, never answers: a handshake there waits until it is aborted or times out. */
let silent: Server;
let silentPort = 0;
const silentSockets: Socket[] = [];

test.before(async () => {
  redis = await startRedis();
  silent = createServer((socket) => {
    silentSockets.push(socket);
    socket.on('error', () => {});
    socket.resume(); // read (and drop) what arrives, so that the peer's close is seen
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  silentPort = typeof address === 'object' && address !== null ? address.port : 0;
});

test.after(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await redis.stop();
});

const open = (port: number, signal: AbortSignal) =>
  openConnection({
    endpoint: { host: '127.0.0.1', port },
    clock: systemClock,
    dial: { tls: false, connectTimeout: 2000, signal },
    handshake: { protocol: 3, database: 0, libName: 'test', libVersion: '0', maintOptIn: false },
    handlers: { onPush: () => {}, onLost: () => {} },
  });

test('a signal aborted before the open fails it at once with ERR_CONNECT', async () => {
  const controller = new AbortController();
  controller.abort(new Error('already closed'));
  const error = await open(redis.port, controller.signal).then(
    () => assert.unreachable('the open should fail'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ConnectionError);
  assert.is((error as ConnectionError).code, 'ERR_CONNECT');
  assert.match((error as Error).message, /aborted/);
  assert.is(getEventListeners(controller.signal, 'abort').length, 0);
});

test('an abort while dialling fails the open with ERR_CONNECT and leaves no listener', async () => {
  const controller = new AbortController();
  const opening = open(redis.port, controller.signal);
  assert.is(getEventListeners(controller.signal, 'abort').length, 1, 'one listener for the whole open');
  controller.abort(new Error('closed meanwhile'));
  const error = await opening.then(
    () => assert.unreachable('the open should fail'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ConnectionError);
  assert.is((error as ConnectionError).code, 'ERR_CONNECT');
  assert.match((error as Error).message, /closed meanwhile/);
  assert.is(getEventListeners(controller.signal, 'abort').length, 0);
});

test('an abort during the handshake destroys its socket and fails the open', async () => {
  const controller = new AbortController();
  const before = silentSockets.length;
  const opening = open(silentPort, controller.signal);
  while (silentSockets.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
  const accepted = silentSockets[silentSockets.length - 1] as Socket;
  const closed = new Promise<void>((resolve) => accepted.once('close', () => resolve()));
  controller.abort();
  const error = await opening.then(
    () => assert.unreachable('the open should fail'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ConnectionError);
  assert.is((error as ConnectionError).code, 'ERR_CONNECTION_LOST');
  assert.match((error as Error).message, /aborted/);
  await closed;
  assert.is(getEventListeners(controller.signal, 'abort').length, 0);
});

test('a completed open leaves no listener on its signal', async () => {
  const controller = new AbortController();
  const opened = await open(redis.port, controller.signal);
  try {
    assert.is(opened.protocol, 3);
    assert.is(getEventListeners(controller.signal, 'abort').length, 0);
    controller.abort();
    assert.ok(opened.pipeline.writable, 'an abort after the open does not touch the socket');
  } finally {
    opened.pipeline.destroy('test over');
  }
});

test.run();
