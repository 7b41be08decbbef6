import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMAND_TABLE } from '../../src/commands/generated/table.js';
import { COMMAND_METHODS } from '../../src/commands/generated/methods.js';
import { flattenArguments } from '../../src/commands/methods.js';
import { createMaintClient, UsageError, type MaintClient } from '../../src/index.js';
import { EXTRA_COMMANDS, METHOD_GROUPS, REPLY_TYPES } from '../../scripts/commands/reply-types.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

let server: RedisProcess;
let client: MaintClient;

test.before(async () => {
  server = await startRedis();
  client = createMaintClient({ host: server.host, port: server.port, poolSize: 2, maintNotifications: { mode: 'disabled' } });
  await client.connect();
});

test.after(async () => {
  await client?.close();
  await server?.stop();
});

test('the committed table matches the running server: every command, arity and flag (no drift)', async () => {
  const infos = (await client.call('COMMAND', 'INFO')) as unknown as Array<[string, number, string[]]>;
  assert.ok(infos.length > 200);
  for (const [name, arity, flags] of infos) {
    const entry = COMMAND_TABLE[name.toUpperCase()];
    assert.ok(entry !== undefined, `${name} missing from the table`);
    assert.is(entry.arity, arity, `${name} arity`);
    for (const flag of entry.flags) assert.ok(flags.includes(flag), `${name} ${flag}`);
  }
});

test('every command of the offered groups has a method, and every reply type names one', () => {
  const methods = new Set(COMMAND_METHODS.map(([method]) => method));
  const commands = new Set(COMMAND_METHODS.map(([, command]) => command));
  for (const [name, entry] of Object.entries(COMMAND_TABLE)) {
    if (name.includes('|') || !METHOD_GROUPS.includes(entry.group)) continue;
    assert.ok(commands.has(name), `${name} (${entry.group}) has no method`);
  }
  for (const extra of EXTRA_COMMANDS) assert.ok(methods.has(extra), extra);
  for (const name of Object.keys(REPLY_TYPES)) assert.ok(methods.has(name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())), `reply type for unknown method ${name}`);
  const proto = client as unknown as Record<string, unknown>;
  for (const [method, , buffered] of COMMAND_METHODS) {
    assert.type(proto[method], 'function', method);
    if (buffered) assert.type(proto[`${method}Buffer`], 'function', `${method}Buffer`);
  }
});

test('strings, keys and expiry through typed methods', async () => {
  assert.is(await client.set('t:s', 'v', 'EX', 100), 'OK');
  assert.is(await client.get('t:s'), 'v');
  assert.is(await client.append('t:s', 'w'), 2);
  assert.is(await client.getdel('t:s'), 'vw');
  assert.is(await client.get('t:s'), null);
  assert.is(await client.mset({ 't:a': '1', 't:b': '2' }), 'OK');
  assert.equal(await client.mget(['t:a', 't:b'], 't:none'), ['1', '2', null]);
  assert.is(await client.incrby('t:a', 41), 42);
  assert.is(await client.incrbyfloat('t:a', 0.5), '42.5');
  assert.is(await client.expire('t:a', 100), 1);
  assert.ok((await client.ttl('t:a')) > 0);
  assert.is(await client.type('t:a'), 'string');
  assert.is(await client.exists('t:a', 't:b', 't:none'), 2);
  assert.is(await client.del(['t:a', 't:b']), 2);
  const binary = Buffer.from([0, 255, 1, 128]);
  await client.set('t:bin', binary);
  assert.ok((await client.getBuffer('t:bin'))?.equals(binary));
  assert.ok(((await client.dumpBuffer('t:bin')) as Buffer).length > 4);
});

test('hashes, lists, sets and sorted sets reply in the types their methods declare', async () => {
  assert.is(await client.hset('t:h', { f1: 'a', f2: 'b' }), 2);
  assert.equal(await client.hgetall('t:h'), { f1: 'a', f2: 'b' });
  const buffers = await client.hgetallBuffer('t:h');
  assert.ok(Buffer.isBuffer(buffers.f1) && buffers.f1.toString() === 'a');
  assert.equal(await client.hmget('t:h', 'f1', 'nope'), ['a', null]);
  assert.is(await client.rpush('t:l', 'x', 'y', 'z'), 3);
  assert.equal(await client.lrange('t:l', 0, -1), ['x', 'y', 'z']);
  assert.is(await client.lpop('t:l'), 'x');
  assert.equal(await client.lpop('t:l', 2), ['y', 'z']);
  assert.is(await client.sadd('t:set', 'a', 'b'), 2);
  assert.equal((await client.smembers('t:set')).sort(), ['a', 'b']);
  assert.equal(await client.smismember('t:set', 'a', 'c'), [1, 0]);
  assert.is(await client.zadd('t:z', 1.5, 'm1', 2, 'm2'), 2);
  assert.is(await client.zscore('t:z', 'm1'), 1.5);
  assert.is(await client.zincrby('t:z', 1, 'm1'), 2.5);
  assert.is(await client.zrank('t:z', 'm2'), 0);
  const [cursor, keys] = await client.scan('0', 'MATCH', 't:*', 'COUNT', 1000);
  assert.is(cursor, '0');
  assert.ok(keys.includes('t:h') && keys.includes('t:z'));
});

test('streams, hyperloglog, bitmaps, geo, scripting and server commands', async () => {
  const id = await client.xadd('t:x', '*', 'n', '1');
  assert.match(String(id), /^\d+-\d+$/);
  assert.is(await client.xlen('t:x'), 1);
  assert.is(await client.pfadd('t:hll', 'a', 'b', 'c'), 1);
  assert.is(await client.pfcount('t:hll'), 3);
  assert.is(await client.setbit('t:bits', 7, 1), 0);
  assert.is(await client.bitcount('t:bits'), 1);
  assert.is(await client.geoadd('t:geo', 13.361389, 38.115556, 'Palermo'), 1);
  assert.equal(await client.eval('return ARGV[1]', 0, 'hi'), 'hi');
  assert.is(await client.ping(), 'PONG');
  assert.is(await client.echo('e'), 'e');
  assert.ok((await client.dbsize()) > 0);
  assert.is((await client.time()).length, 2);
  assert.match(await client.info('server'), /redis_version/);
  assert.equal(await client.object('ENCODING', 't:x'), 'stream');
});

test('blocking methods keep their dedicated connection; refused ones stay refused', async () => {
  const popped = client.blpop('t:jobs', 5);
  await client.rpush('t:jobs', 'job-1');
  assert.equal(await popped, ['t:jobs', 'job-1']);
  await client.wait(0, 0).then(
    () => assert.unreachable('WAIT was sent'),
    (error: unknown) => assert.ok(error instanceof UsageError && error.code === 'ERR_UNSUPPORTED_COMMAND'),
  );
  await client.set('t:bad', null as never).then(
    () => assert.unreachable('null was sent'),
    (error: unknown) => assert.ok(error instanceof UsageError && error.code === 'ERR_INVALID_ARGUMENT'),
  );
});

test('flattenArguments keeps plain arguments as they are and spreads arrays and objects', () => {
  const plain = ['a', 1, Buffer.from('b')];
  assert.is(flattenArguments(plain), plain);
  assert.equal(flattenArguments(['k', ['a', 'b'], { f: 'v' }, new Uint8Array([1])]), ['k', 'a', 'b', 'f', 'v', new Uint8Array([1])]);
});

test.run();
