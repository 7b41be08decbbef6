import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, RedisReplyError, TransactionError, UsageError, type MaintClient } from '../../src/index.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { clientFor } from '../helpers/client.js';

let server: RedisProcess;
let client: MaintClient;
test.before(async () => {
  server = await startRedis();
  client = clientFor(server, { poolSize: 2 }).client;
  await client.connect();
});
test.after(async () => {
  await client.close();
  await server.stop();
});

const rejection = (promise: Promise<unknown>) => promise.then(() => assert.unreachable('expected a rejection'), (error: unknown) => error as Error);

test('get / set / del / incr', async () => {
  assert.is(await client.set('cmd:a', 'hello'), 'OK');
  assert.is(await client.get('cmd:a'), 'hello');
  assert.is(await client.get('cmd:missing'), null);
  assert.is(await client.incr('cmd:n'), 1);
  assert.is(await client.incr('cmd:n'), 2);
  assert.is(await client.del('cmd:a', 'cmd:n', 'cmd:missing'), 2);
  assert.is(await client.set('cmd:nx', '1', 'NX'), 'OK');
  assert.is(await client.set('cmd:nx', '2', 'NX'), null);
});

test('commands issued without awaiting, in one tick, keep their order across a multi-connection pool', async () => {
  const { client: pooled } = clientFor(server, { poolSize: 4 });
  await pooled.connect();
  try {
    for (let round = 0; round < 200; round++) {
      // Background load so that the connections have different numbers in flight.
      const noise = Array.from({ length: round % 7 }, (_, i) => pooled.call('PING', String(i)));
      void pooled.set('order:k', `v${round}`);
      void pooled.del('order:other');
      assert.is(await pooled.get('order:k'), `v${round}`);
      await Promise.all(noise);
    }
  } finally {
    await pooled.close();
  }
});

test('RESP3 replies are decoded to JS values', async () => {
  await client.call('HSET', 'cmd:h', 'f1', 'v1', 'f2', 'v2');
  assert.equal(await client.call('HGETALL', 'cmd:h'), { f1: 'v1', f2: 'v2' });
  await client.call('ZADD', 'cmd:z', '1.5', 'm');
  assert.is(await client.call('ZSCORE', 'cmd:z', 'm'), 1.5);
  assert.equal(await client.call('SMEMBERS', 'cmd:nothing'), []);
});

test('a Redis error reply rejects that call only, with RedisReplyError', async () => {
  await client.set('cmd:str', 'x');
  const [bad, good] = await Promise.allSettled([client.call('LPUSH', 'cmd:str', 'y'), client.get('cmd:str')]);
  assert.is(bad.status, 'rejected');
  const error = (bad as PromiseRejectedResult).reason as RedisReplyError;
  assert.instance(error, RedisReplyError);
  assert.is(error.prefix, 'WRONGTYPE');
  assert.equal(good, { status: 'fulfilled', value: 'x' });
});

test('binary values round-trip byte-exact with getBuffer / callBuffer; strings stay strings elsewhere', async () => {
  const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 13, 10, 0xc3]);
  await client.set('cmd:bin', binary);
  assert.equal(await client.getBuffer('cmd:bin'), binary);
  assert.ok((await client.get('cmd:bin')) !== null, 'the string form is lossy but still a string');
  await client.call('HSET', 'cmd:binh', 'f', binary);
  assert.equal(await client.callBuffer('HGETALL', 'cmd:binh'), { f: binary });
  assert.is(await client.getBuffer('cmd:nothing'), null);
  // Interleaved binary and string replies on one connection each get their own form.
  const [a, b, c] = await Promise.all([client.getBuffer('cmd:bin'), client.call('ECHO', 'text'), client.getBuffer('cmd:bin')]);
  assert.ok(Buffer.isBuffer(a) && Buffer.isBuffer(c));
  assert.is(b, 'text');
});

test('integers beyond 2^53 arrive as bigint, exactly', async () => {
  await client.set('cmd:big', '9007199254740993');
  assert.is(await client.call('INCRBY', 'cmd:big', '1'), 9007199254740994n);
  assert.is(await client.call('INCRBY', 'cmd:small', '5'), 5);
  await client.set('cmd:neg', '-9223372036854775807');
  assert.is(await client.call('DECR', 'cmd:neg'), -9223372036854775808n);
});

test('multi runs MULTI … EXEC on one connection and returns EXEC replies', async () => {
  await client.del('cmd:m');
  const replies = await client.multi([['INCR', 'cmd:m'], ['INCRBY', 'cmd:m', 5], ['GET', 'cmd:m']]);
  assert.equal(replies, [1, 6, '6']);
});

test('multi with a command Redis refuses to queue is not executed at all', async () => {
  await client.set('cmd:t', '1');
  const error = await rejection(client.multi([['INCR', 'cmd:t'], ['NOSUCHCOMMAND']]));
  assert.instance(error, TransactionError);
  assert.equal((error as TransactionError).replies, []);
  assert.is(await client.get('cmd:t'), '1');
});

test('multi with a command failing at EXEC exposes the applied replies', async () => {
  await client.set('cmd:s', 'text');
  const error = await rejection(client.multi([['INCR', 'cmd:u'], ['INCR', 'cmd:s']]));
  assert.instance(error, TransactionError);
  const replies = (error as TransactionError).replies;
  assert.is(replies[0], 1);
  assert.instance(replies[1], RedisReplyError);
});

test('multi refuses the commands call() refuses: they would change the shared connection inside MULTI too', async () => {
  for (const tuple of [['SELECT', '1'], ['SUBSCRIBE', 'ch'], ['CLIENT', 'REPLY', 'OFF'], ['HELLO', '2'], ['WAIT', '0', '0']] as Array<[string, ...string[]]>) {
    const error = await rejection(client.multi([['SET', 'cmd:mr', 'x'], tuple]));
    assert.instance(error, UsageError, tuple.join(' '));
    assert.is((error as UsageError).code, 'ERR_UNSUPPORTED_COMMAND');
  }
  assert.is(await client.get('cmd:mr'), null, 'nothing of a refused multi() was sent');
});

test('blocking commands run on a dedicated connection and do not stall the pool', async () => {
  await client.del('cmd:queue');
  const popped = client.call('BLPOP', 'cmd:queue', '5');
  // Meanwhile the shared pool keeps serving.
  assert.is(await client.call('PING'), 'PONG');
  assert.is(await client.call('RPUSH', 'cmd:queue', 'job'), 1);
  assert.equal(await popped, ['cmd:queue', 'job']);
  const dedicated = client.state().connections.filter((c) => c.dedicated);
  assert.is(dedicated.length, 1);
  // The dedicated connection is reused, not dialled again.
  assert.is(await client.call('BLPOP', 'cmd:queue', '0.01'), null);
  assert.is(client.state().connections.filter((c) => c.dedicated).length, 1);
});

test('commands that would change a shared connection are refused with a typed error', async () => {
  for (const args of [['SELECT', '1'], ['MULTI'], ['SUBSCRIBE', 'ch'], ['CLIENT', 'SETNAME', 'x'], ['client', 'maint_notifications', 'on']]) {
    const [name, ...rest] = args as [string, ...string[]];
    const error = await rejection(client.call(name, ...rest));
    assert.instance(error, UsageError);
    assert.is((error as UsageError).code, 'ERR_UNSUPPORTED_COMMAND');
  }
});

test('invalid arguments fail their own call with a typed error', async () => {
  for (const bad of [null, undefined, {}, NaN, Infinity, () => 1]) {
    const error = await rejection(client.call('SET', 'k', bad as never));
    assert.instance(error, UsageError);
    assert.is((error as UsageError).code, 'ERR_INVALID_ARGUMENT');
  }
  const empty = await rejection(client.call(''));
  assert.is((empty as UsageError).code, 'ERR_INVALID_ARGUMENT');
  assert.is(await client.call('PING'), 'PONG');
});

test('calls before connect() and after close() are refused with typed errors', async () => {
  const { client: fresh } = clientFor(server, { poolSize: 1 });
  const early = await rejection(fresh.get('x'));
  assert.instance(early, ConnectionError);
  assert.is((early as ConnectionError).code, 'ERR_NOT_CONNECTED');
  await fresh.connect();
  await fresh.close();
  const late = await rejection(fresh.get('x'));
  assert.is((late as ConnectionError).code, 'ERR_CLIENT_CLOSED');
  await fresh.close();
  const again = await rejection(fresh.connect());
  assert.is((again as ConnectionError).code, 'ERR_CLIENT_CLOSED');
});

test('close() drains replies that are in flight', async () => {
  const { client: closing } = clientFor(server, { poolSize: 1 });
  await closing.connect();
  const pending = Array.from({ length: 200 }, (_, i) => closing.set(`drain:${i}`, String(i)));
  await closing.close();
  const results = await Promise.allSettled(pending);
  assert.ok(results.every((r) => r.status === 'fulfilled' && r.value === 'OK'));
});

test.run();
