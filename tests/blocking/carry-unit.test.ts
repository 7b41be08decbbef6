import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { ConnectionError, RedisReplyError, TimeoutError } from '../../src/errors.js';
import { callBlocking, Carry, UNBLOCK_RETRY_MS, type BlockingHost } from '../../src/pool/blocking-call.js';
import type { Connection } from '../../src/pool/connection.js';
import type { UnblockResult } from '../../src/pool/unblock.js';
import type { Pipeline } from '../../src/transport/pipeline.js';
import type { PendingCommand } from '../../src/transport/command.js';

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function host(results: UnblockResult[], clock = new SimulatedClock()) {
  const calls: number[] = [];
  const released: unknown[] = [];
  const h: BlockingHost & { calls: number[]; released: unknown[] } = {
    clock,
    commandTimeout: 100,
    calls,
    released,
    lease: async () => {
      throw new Error('set per test');
    },
    release: (connection) => released.push(connection),
    unblock: async (_endpoint, id) => {
      calls.push(id);
      return results.shift() ?? 'not-blocked';
    },
    emit: () => {},
    unblockAllowed: true,
  };
  return h;
}

function oldSocket(clientId: number | undefined) {
  let release: () => void = () => {};
  const drained = new Promise<void>((resolve) => (release = resolve));
  const socket = { clientId, inflightCount: 1, drained: () => drained };
  return { socket: socket as unknown as Pipeline, answer: () => ((socket.inflightCount = 0), release()) };
}

const endpoint = { host: '127.0.0.1', port: 1 };

test('interrupt: asks again while CLIENT UNBLOCK answers 0 and the command still waits; stops once it is unblocked', async () => {
  const h = host(['not-blocked', 'unblocked']);
  const carry = new Carry(h);
  const { socket } = oldSocket(42);
  const done = carry.interrupt(socket, endpoint, 1000);
  await flush();
  assert.equal(h.calls, [42]);
  (h.clock as SimulatedClock).increment(UNBLOCK_RETRY_MS);
  await done;
  assert.equal(h.calls, [42, 42]);
  assert.ok(carry.requested);
  assert.is(carry.from, '127.0.0.1:1');
});

test('interrupt: a reply already on its way (answered 0, then the socket drains) ends it without another unblock', async () => {
  const h = host(['not-blocked']);
  const carry = new Carry(h);
  const { socket, answer } = oldSocket(1);
  const done = carry.interrupt(socket, endpoint, 1000);
  await flush();
  answer();
  await done;
  assert.equal(h.calls, [1]);
});

test('interrupt: refused (ACL) switches the client to sliced blocking; no id or not allowed: nothing is sent', async () => {
  const h = host(['refused']);
  await new Carry(h).interrupt(oldSocket(5).socket, endpoint, 1000);
  assert.is(h.unblockAllowed, false);
  await new Carry(h).interrupt(oldSocket(6).socket, endpoint, 1000);
  const h2 = host([]);
  await new Carry(h2).interrupt(oldSocket(undefined).socket, endpoint, 1000);
  assert.equal(h.calls, [5]);
  assert.equal(h2.calls, []);
});

test('interrupt: gives up at its bound (the drain bound then applies)', async () => {
  const h = host(['failed', 'failed', 'failed']);
  const carry = new Carry(h);
  const done = carry.interrupt(oldSocket(3).socket, endpoint, 30);
  await flush();
  (h.clock as SimulatedClock).increment(UNBLOCK_RETRY_MS);
  await flush();
  (h.clock as SimulatedClock).increment(UNBLOCK_RETRY_MS);
  await done;
  assert.equal(h.calls, [3, 3]);
});

/** A leased connection as callBlocking sees it. */
function leased() {
  const written: PendingCommand[] = [];
  const connection = {
    id: 'd1',
    ready: true,
    state: 'idle',
    endpointText: 'new:2',
    carry: null as Carry | null,
    whenChanged: undefined as (() => void) | undefined,
    write: (command: PendingCommand) => written.push(command),
  };
  return { connection, written, asConnection: connection as unknown as Connection };
}

test('callBlocking: cut short by our unblock, it waits for the connection and fails typed (not sent) when the connection closes instead', async () => {
  const h = host([]);
  h.unblockAllowed = undefined;
  const { connection, written, asConnection } = leased();
  h.lease = async () => asConnection;
  const call = callBlocking(h, ['BLPOP', 'q', '0'], Infinity, false).then(() => null, (error: unknown) => error as ConnectionError);
  await flush();
  assert.is(written[0]?.name, 'CLIENT', 'probe first');
  written[0]?.succeed(0);
  await flush();
  assert.is(written[1]?.name, 'BLPOP');
  (connection.carry as Carry).requested = true;
  connection.ready = false;
  written[1]?.fail(new RedisReplyError('UNBLOCKED client unblocked via CLIENT UNBLOCK'));
  await flush();
  connection.state = 'closed';
  connection.whenChanged?.();
  const error = await call;
  assert.instance(error, ConnectionError);
  assert.is(error?.code, 'ERR_CONNECTION_LOST');
  assert.is(error?.sent, false);
  assert.equal(h.released, [asConnection]);
});

test('callBlocking: a connection that does not come back within the time left fails with a timeout (never sent)', async () => {
  const h = host([]);
  h.unblockAllowed = true;
  const { connection, written, asConnection } = leased();
  h.lease = async () => asConnection;
  const call = callBlocking(h, ['BLPOP', 'q', '1'], 1000, false).then(() => null, (error: unknown) => error as TimeoutError);
  await flush();
  (connection.carry as Carry).requested = true;
  connection.ready = false;
  written[0]?.fail(new RedisReplyError('UNBLOCKED client unblocked via CLIENT UNBLOCK'));
  await flush();
  connection.state = 'reconnecting';
  connection.whenChanged?.();
  (h.clock as SimulatedClock).increment(1100);
  const error = await call;
  assert.instance(error, TimeoutError);
  assert.is(error?.sent, false);
});

test('callBlocking: an UNBLOCKED we did not ask for is the caller\'s; the probe\'s connection errors surface', async () => {
  const h = host([]);
  h.unblockAllowed = true;
  const { written, asConnection } = leased();
  h.lease = async () => asConnection;
  const call = callBlocking(h, ['BLPOP', 'q', '1'], 1000, false).then(() => null, (error: unknown) => error as RedisReplyError);
  await flush();
  written[0]?.fail(new RedisReplyError('UNBLOCKED by someone else'));
  assert.is((await call)?.prefix, 'UNBLOCKED');
  const h2 = host([]);
  h2.unblockAllowed = undefined;
  const second = leased();
  h2.lease = async () => second.asConnection;
  const probing = callBlocking(h2, ['BLPOP', 'q', '1'], 1000, false).then(() => null, (error: unknown) => error as ConnectionError);
  await flush();
  second.written[0]?.fail(new ConnectionError('ERR_CONNECTION_LOST', 'gone', { retryable: true }));
  assert.is((await probing)?.code, 'ERR_CONNECTION_LOST');
});

test.run();
