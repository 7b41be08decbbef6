import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, RedisReplyError, UsageError, type MaintCluster } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slot.js';
import { startCluster, type LocalCluster, type LocalClusterNode } from '../helpers/cluster.js';

let cluster: LocalCluster;
let client: MaintCluster;
test.before(async () => {
  cluster = await startCluster({ primaries: 3 });
  client = createMaintCluster({ rootNodes: [`127.0.0.1:${cluster.primaries[0]!.port}`], poolSize: 1, refreshInterval: 0 });
  await client.connect();
});
test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

const rejection = (promise: Promise<unknown>) => promise.then(() => assert.unreachable('expected a rejection'), (error: unknown) => error as Error);
const ownerOf = (key: string) => cluster.primaries.find((node) => keySlot(key) >= node.slots![0] && keySlot(key) <= node.slots![1]) as LocalClusterNode;
const keys = Array.from({ length: 90 }, (_, i) => `fan:${i}`);

async function calls(command: string): Promise<number[]> {
  return Promise.all(cluster.primaries.map(async (node) => Number(/calls=(\d+)/.exec(String(await cluster.command(node, 'INFO', 'commandstats')).split('\n').find((line) => line.startsWith(`cmdstat_${command}:`)) ?? '')?.[1] ?? 0)));
}

test('FLUSHALL empties every primary; DBSIZE is the sum over the primaries', async () => {
  for (const key of keys) await client.set(key, key);
  assert.is(await client.call('FLUSHALL'), 'OK');
  for (const node of cluster.primaries) assert.is(await cluster.command(node, 'DBSIZE'), 0, `${node.port} empty`);
  for (const key of keys) await client.set(key, key);
  const perNode = await Promise.all(cluster.primaries.map((node) => cluster.command(node, 'DBSIZE')));
  assert.ok(perNode.every((n) => Number(n) > 0 && Number(n) < keys.length), `spread: ${perNode.join(', ')}`);
  assert.is(await client.dbsize(), keys.length);
  assert.is(await client.call('FLUSHDB'), 'OK');
  assert.is(await client.dbsize(), 0);
});

test('KEYS and scanIterator: every key of every node, each once', async () => {
  for (const key of keys) await client.set(key, key);
  await client.set('other', 'x');
  const listed = (await client.call('KEYS', 'fan:*')) as string[];
  assert.is(listed.length, keys.length);
  assert.equal([...listed].sort(), [...keys].sort());
  const buffers = (await client.callBuffer('KEYS', 'fan:1*')) as Buffer[];
  assert.ok(buffers.every((key) => Buffer.isBuffer(key)));
  assert.equal(buffers.map(String).sort(), keys.filter((key) => key.startsWith('fan:1')).sort());
  const scanned: string[] = [];
  for await (const key of client.scanIterator({ match: 'fan:*', count: 7 })) scanned.push(key);
  assert.equal(scanned.sort(), [...keys].sort());
});

test('SCRIPT LOAD reaches every node: EVALSHA then works on any slot; SCRIPT EXISTS is true only where every node has it', async () => {
  const sha = (await client.call('SCRIPT', 'LOAD', "return redis.call('GET', KEYS[1])")) as string;
  for (const node of cluster.primaries) assert.equal(await cluster.command(node, 'SCRIPT', 'EXISTS', sha), [1]);
  const spread = cluster.primaries.map((node) => keys.find((key) => ownerOf(key) === node) as string);
  for (const key of spread) assert.is(await client.call('EVALSHA', sha, '1', key), key);
  assert.equal(await client.call('SCRIPT', 'EXISTS', sha, 'ffffffffffffffffffffffffffffffffffffffff'), [1, 0]);
  // Flushed on one node only: not loaded "in the cluster" any more.
  await cluster.command(cluster.primaries[2]!, 'SCRIPT', 'FLUSH');
  assert.equal(await client.call('SCRIPT', 'EXISTS', sha), [0]);
  assert.is(await client.call('SCRIPT', 'FLUSH'), 'OK');
  for (const node of cluster.primaries) assert.equal(await cluster.command(node, 'SCRIPT', 'EXISTS', sha), [0]);
});

test('PING and CONFIG SET reach every node; an error from a node fails the whole; one_succeeded fails only when every node does', async () => {
  const before = await calls('ping');
  assert.is(await client.ping(), 'PONG');
  const after = await calls('ping');
  assert.ok(after.every((count, i) => count === (before[i] as number) + 1), `${before} → ${after}`);
  assert.is(await client.call('CONFIG', 'SET', 'slowlog-max-len', '77'), 'OK');
  for (const node of cluster.primaries) assert.equal(await cluster.command(node, 'CONFIG', 'GET', 'slowlog-max-len'), ['slowlog-max-len', '77']);
  const bad = await rejection(client.call('CONFIG', 'SET', 'no-such-parameter', '1'));
  assert.instance(bad, RedisReplyError);
  // No script runs anywhere: every node answers NOTBUSY.
  const kill = await rejection(client.call('SCRIPT', 'KILL'));
  assert.is((kill as RedisReplyError).prefix, 'NOTBUSY');
  assert.is(await client.call('SLOWLOG', 'RESET'), 'OK');
  assert.is(typeof (await client.call('SLOWLOG', 'LEN')), 'number');
});

test('RANDOMKEY finds the one key wherever it is; INFO (a reply only a person can join) still goes to one primary', async () => {
  await client.call('FLUSHALL');
  assert.is(await client.call('RANDOMKEY'), null);
  await client.set('only-one', 'x');
  for (let i = 0; i < 5; i++) assert.is(await client.call('RANDOMKEY'), 'only-one');
  const before = await calls('info');
  assert.match(String(await client.info('server')), /redis_version/);
  const after = await calls('info');
  // One INFO from the client; the others are the count's own INFO commandstats (one per node).
  assert.is(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0), 1 + cluster.primaries.length);
});

test('MGET, EXISTS, TOUCH, DEL, UNLINK across slots are split per slot and joined; MSET across slots stays refused', async () => {
  await client.call('FLUSHALL');
  const spread = keys.slice(0, 12);
  assert.ok(new Set(spread.map(ownerOf)).size === 3, 'the keys span every primary');
  for (const key of spread.slice(0, 8)) await client.set(key, `v-${key}`);
  const before = await calls('mget');
  const values = await client.call('MGET', ...spread);
  assert.equal(values, spread.map((key, i) => (i < 8 ? `v-${key}` : null)));
  const after = await calls('mget');
  assert.ok(after.every((count, i) => count > (before[i] as number)), 'every primary served a part');
  assert.equal(await client.callBuffer('MGET', spread[0]!, spread[11]!, spread[1]!), [Buffer.from(`v-${spread[0]}`), null, Buffer.from(`v-${spread[1]}`)]);
  // Counted per key as the server does: a key named twice counts twice.
  assert.is(await client.call('EXISTS', ...spread, spread[0]!), 9);
  assert.is(await client.call('TOUCH', ...spread), 8);
  assert.is(await client.del(spread[0]!, spread[1]!, spread[2]!, spread[10]!), 3);
  assert.is(await client.call('UNLINK', ...spread), 5);
  assert.is(await client.dbsize(), 0);
  const mset = await rejection(client.call('MSET', spread[0]!, '1', spread[1]!, '2'));
  assert.is((mset as UsageError).code, 'ERR_CROSSSLOT');
  assert.is(await client.dbsize(), 0);
});

test.run();
