import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, RedisReplyError, TransactionError, UsageError, type ClusterEvent, type MaintCluster } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slot.js';
import { startCluster, type LocalCluster } from '../helpers/cluster.js';

let cluster: LocalCluster;
let client: MaintCluster;
const events: ClusterEvent[] = [];
test.before(async () => {
  cluster = await startCluster({ primaries: 3 });
  client = createMaintCluster({ rootNodes: [`redis://127.0.0.1:${cluster.primaries[1]!.port}`], poolSize: 2 });
  client.events$.subscribe((event) => events.push(event));
  await client.connect();
});
test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

const rejection = (promise: Promise<unknown>) => promise.then(() => assert.unreachable('expected a rejection'), (error: unknown) => error as Error);

function ownerPort(slot: number): number {
  const owner = cluster.primaries.find((node) => slot >= node.slots![0] && slot <= node.slots![1]);
  return owner!.port;
}

test('connect loads the slot map from CLUSTER SHARDS: three primaries, every slot owned', () => {
  const state = client.state();
  assert.is(state.status, 'ready');
  const primaries = state.nodes.filter((node) => node.slots.length > 0);
  assert.equal(primaries.map((node) => node.node).sort(), cluster.primaries.map((node) => `127.0.0.1:${node.port}`).sort());
  for (const node of primaries) {
    const spawned = cluster.primaries.find((p) => `127.0.0.1:${p.port}` === node.node)!;
    assert.equal(node.slots, [spawned.slots]);
    assert.is(node.id, spawned.id);
  }
  const refreshed = events.find((event) => event.type === 'cluster.refreshed');
  assert.is(refreshed?.type === 'cluster.refreshed' && refreshed.via, 'CLUSTER SHARDS');
});

test('commands go to their slot owner; hash tags keep keys together; no redirect needed', async () => {
  const before = events.filter((event) => event.type === 'cluster.redirected').length;
  for (let i = 0; i < 300; i++) {
    assert.is(await client.set(`route:${i}`, String(i)), 'OK');
  }
  for (let i = 0; i < 300; i++) assert.is(await client.get(`route:${i}`), String(i));
  assert.is(events.filter((event) => event.type === 'cluster.redirected').length, before);
  // Each key really lives on the node its slot says (asked directly, not through the client).
  for (const key of ['route:1', 'route:77', 'route:299']) {
    assert.is(await cluster.command({ host: '127.0.0.1', port: ownerPort(keySlot(key)) }, 'GET', key), key.slice(6));
  }
  assert.is(await client.set('user:{42}:name', 'Ada'), 'OK');
  assert.is(await client.incr('{42}:visits'), 1);
  assert.equal(await client.call('MGET', 'user:{42}:name', '{42}:visits'), ['Ada', '1']);
  assert.is(await client.del('user:{42}:name', '{42}:visits'), 2);
  assert.equal(await client.callBuffer('GET', 'route:5'), Buffer.from('5'));
  assert.equal(await client.getBuffer('route:6'), Buffer.from('6'));
});

test('keys in several slots (writes that cannot be split, and commands that are not multi-shard): UsageError ERR_CROSSSLOT, never sent', async () => {
  const sentBefore = await totalCommands();
  for (const call of [client.call('MSET', 'a', '1', 'b', '2'), client.call('MSETNX', 'a', '1', 'b', '2'), client.call('SUNION', '{42}:a', '{43}:b'), client.call('BLPOP', '{42}:a', '{43}:b', '1')]) {
    const error = await rejection(call);
    assert.instance(error, UsageError);
    assert.is((error as UsageError).code, 'ERR_CROSSSLOT');
  }
  const multi = await rejection(client.multi([['INCR', '{1}a'], ['INCR', '{2}b']]));
  assert.is((multi as UsageError).code, 'ERR_CROSSSLOT');
  // INFO commandstats counts what the servers executed: no MSET/MSETNX/SUNION/BLPOP/MULTI arrived.
  assert.equal(await totalCommands(), sentBefore);
});

async function totalCommands(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const node of cluster.primaries) {
    const text = String(await cluster.command(node, 'INFO', 'commandstats'));
    for (const name of ['mset', 'msetnx', 'sunion', 'blpop', 'multi']) {
      const match = new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(text);
      counts[name] = (counts[name] ?? 0) + Number(match?.[1] ?? 0);
    }
  }
  return counts;
}

test('multi on one slot runs on its owner; keyless commands go to a primary (or all, by policy); errors are typed', async () => {
  assert.equal(await client.multi([['INCR', '{m}:a'], ['INCR', '{m}:b'], ['PING']]), [1, 1, 'PONG']);
  assert.equal(await client.multi([['PING']]), ['PONG']);
  const failed = await rejection(client.multi([['SET', '{m}:s', 'x'], ['INCR', '{m}:s']]));
  assert.instance(failed, TransactionError);
  assert.is(await client.call('PING'), 'PONG');
  const dbsize = await Promise.all([client.call('DBSIZE'), client.call('DBSIZE'), client.call('DBSIZE')]);
  assert.ok(dbsize.every((n) => typeof n === 'number'));
  const wrong = await rejection(client.call('LPUSH', 'route:1', 'x'));
  assert.instance(wrong, RedisReplyError);
  assert.is((wrong as RedisReplyError).prefix, 'WRONGTYPE');
  assert.is((await rejection(client.call('SELECT', '1')) as UsageError).code, 'ERR_UNSUPPORTED_COMMAND');
  assert.is((await rejection(client.call('GET', null as never)) as UsageError).code, 'ERR_INVALID_ARGUMENT');
});

test('a blocking command waits on a dedicated connection of its slot owner', async () => {
  const waiting = client.call('BLPOP', '{q}:list', '2');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.is(await client.call('RPUSH', '{q}:list', 'job'), 1);
  assert.equal(await waiting, ['{q}:list', 'job']);
});

test('typed command methods are routed too; scanIterator walks every primary once', async () => {
  assert.is(await client.hset('{h}:hash', { a: '1', b: '2' }), 2);
  assert.equal(await client.hgetall('{h}:hash'), { a: '1', b: '2' });
  const found: string[] = [];
  for await (const key of client.scanIterator({ match: 'route:*', count: 100 })) found.push(key);
  assert.is(found.length, 300);
  assert.is(new Set(found).size, 300);
});

test.run();
