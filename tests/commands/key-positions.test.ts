import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commandEntry, commandKeyIndexes } from '../../src/commands/keys.js';
import { COMMAND_TABLE } from '../../src/commands/generated/table.js';
import { createMaintClient, RedisReplyError } from '../../src/index.js';
import type { RespArgument } from '../../src/protocol/types.js';
import { startRedis } from '../helpers/redis.js';

// Commands with fixed, ranged, keyword-searched and counted keys, subcommands, and keyless ones.
const CASES: RespArgument[][] = [
  ['GET', 'a'],
  ['SET', 'a', '1', 'EX', '10'],
  ['MSET', 'a', '1', 'b', '2', 'c', '3'],
  ['MGET', 'a', 'b', 'c'],
  ['DEL', 'a', 'b'],
  ['RENAME', 'from', 'to'],
  ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
  ['BLPOP', 'q1', 'q2', '5'],
  ['BLMPOP', '0', '2', 'l1', 'l2', 'LEFT', 'COUNT', '2'],
  ['ZUNIONSTORE', 'out', '2', 'z1', 'z2', 'WEIGHTS', '1', '2'],
  ['ZINTERCARD', '3', 'z1', 'z2', 'z3', 'LIMIT', '1'],
  ['EVAL', 'return 1', '2', 'k1', 'k2', 'arg1'],
  ['EVALSHA_RO', 'abc', '1', 'k1', 'arg'],
  ['FCALL', 'f', '1', 'k1', 'a'],
  ['XREAD', 'COUNT', '2', 'STREAMS', 's1', 's2', '0', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '10', 'STREAMS', 's1', '>'],
  ['XADD', 's', '*', 'f', 'v'],
  ['XINFO', 'STREAM', 's'],
  ['OBJECT', 'ENCODING', 'k'],
  ['MEMORY', 'USAGE', 'k'],
  ['SORT', 'k', 'BY', 'w_*', 'STORE', 'dst'],
  ['SORT', 'k', 'LIMIT', '0', '5', 'GET', 'store', 'ALPHA'],
  ['SORT_RO', 'k', 'BY', 'w_*'],
  ['GEORADIUS', 'g', '0', '0', '10', 'km', 'STORE', 'out'],
  ['MIGRATE', '127.0.0.1', '1', '', '0', '1000', 'KEYS', 'a', 'b'],
  ['MIGRATE', '127.0.0.1', '1', 'k', '0', '1000', 'COPY'],
  ['BITOP', 'AND', 'dest', 'k1', 'k2'],
  ['SMOVE', 'a', 'b', 'member'],
  ['COPY', 'a', 'b', 'REPLACE'],
  ['PFMERGE', 'dst', 'h1', 'h2'],
  ['LCS', 'k1', 'k2'],
  ['ZRANGESTORE', 'dst', 'src', '0', '-1'],
  ['GEOSEARCHSTORE', 'dst', 'src', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
  ['LMPOP', '2', 'a', 'b', 'RIGHT'],
  ['SINTERCARD', '2', 'a', 'b'],
  ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
  ['XAUTOCLAIM', 's', 'g', 'c', '10', '0'],
  ['EXISTS', 'a', 'b', 'a'],
];

test('key positions from the command table agree with the server (COMMAND GETKEYS)', async () => {
  const server = await startRedis();
  const client = createMaintClient({ host: server.host, port: server.port, poolSize: 1, maintNotifications: { mode: 'disabled' } });
  try {
    await client.connect();
    for (const [name, ...args] of CASES) {
      const expected = (await client.call('COMMAND', 'GETKEYS', name as string, ...args)) as string[];
      const indexes = commandKeyIndexes(name as string, args) as number[];
      assert.equal(
        indexes.map((i) => String(args[i])).sort(),
        [...expected].sort(),
        `${[name, ...args].join(' ')}`,
      );
    }
    // Keyless commands: the server refuses GETKEYS, the table says [].
    for (const [name, ...args] of [['PING'], ['DBSIZE'], ['INFO', 'server'], ['PUBLISH', 'ch', 'm']] as RespArgument[][]) {
      await client.call('COMMAND', 'GETKEYS', name as string, ...args).then(
        () => assert.unreachable(`${String(name)} has keys`),
        (error: unknown) => assert.instance(error, RedisReplyError),
      );
      assert.equal(commandKeyIndexes(name as string, args), [], String(name));
    }
  } finally {
    await client.close();
    await server.stop();
  }
});

test('unknown commands have no entry; names are case-insensitive; Buffers are read as keywords', () => {
  assert.is(commandKeyIndexes('NOPE', ['a']), undefined);
  assert.equal(commandKeyIndexes('get', ['k']), [0]);
  assert.equal(commandKeyIndexes('xread', [Buffer.from('streams'), 's', '0']), [1]);
  assert.equal(commandKeyIndexes('EVAL', ['x', 'not-a-number', 'k']), []);
  assert.equal(commandKeyIndexes('GET', []), []);
  assert.is(commandEntry('object', ['encoding', 'k']), COMMAND_TABLE['OBJECT|ENCODING']);
  assert.is(commandEntry('OBJECT', []), COMMAND_TABLE['OBJECT']);
  assert.ok(commandEntry('GET', ['k'])?.flags.includes('readonly'));
  assert.ok(commandEntry('BLPOP', ['k', '0'])?.flags.includes('blocking'));
  assert.is(commandEntry('MSET', ['k', 'v'])?.policy, 'multi_shard');
});

test.run();
