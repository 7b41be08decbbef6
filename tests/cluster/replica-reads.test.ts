import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, type ClusterEvent, type MaintCluster } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slot.js';
import { startCluster, type LocalCluster, type LocalClusterNode } from '../helpers/cluster.js';
import { until } from '../helpers/client.js';

let cluster: LocalCluster;
const clients: MaintCluster[] = [];
test.before(async () => {
  // DEBUG RELOAD (a replica that answers LOADING) needs the debug command on local connections.
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000, args: ['--enable-debug-command', 'local'] });
  // Redis 7.0 calls a replica "loading" in CLUSTER SHARDS until its replication offset moves:
  // write first, so that every replica is online (and has the keys) before a client reads.
  const seed = await open();
  for (const key of keys) assert.is(await seed.set(key, key), 'OK');
  await replicated();
  for (let tries = 0; ; tries++) {
    const shards = JSON.stringify(await cluster.command(cluster.primaries[0]!, 'CLUSTER', 'SHARDS'));
    if ((shards.match(/"health","online"/g) ?? []).length === cluster.nodes.length) break;
    if (tries > 500) throw new Error('the replicas did not come online');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});
test.after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await cluster?.stop();
});

const address = (node: LocalClusterNode) => `127.0.0.1:${node.port}`;
const replicaOf = (primary: LocalClusterNode) => cluster.replicas.find((node) => node.replicaOf === primary.id) as LocalClusterNode;
const keys = Array.from({ length: 60 }, (_, i) => `rr:${i}`);

async function open(options: Partial<Parameters<typeof createMaintCluster>[0]> = {}, events: ClusterEvent[] = []): Promise<MaintCluster> {
  const client = createMaintCluster({ rootNodes: [address(cluster.primaries[0]!)], poolSize: 1, refreshCooldown: 100, refreshInterval: 0, commandTimeout: 2000, ...options });
  clients.push(client);
  client.events$.subscribe((event) => events.push(event));
  await client.connect();
  return client;
}

/** Every replica node of the client's map has a ready connection. */
function replicasUp(client: MaintCluster, count: number): boolean {
  const replicas = client.state().nodes.filter((node) => node.role === 'replica');
  return replicas.length === count && replicas.every((node) => node.connections.some((c) => c.state === 'idle' || c.state === 'relaxed'));
}

async function calls(node: LocalClusterNode, command: string): Promise<number> {
  const line = String(await cluster.command(node, 'INFO', 'commandstats')).split('\n').find((l) => l.startsWith(`cmdstat_${command}:`));
  return Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
}

async function replicated(): Promise<void> {
  for (const primary of cluster.primaries) {
    const expected = Number(await cluster.command(primary, 'DBSIZE'));
    for (let tries = 0; Number(await cluster.command(replicaOf(primary), 'DBSIZE')) < expected; tries++) {
      if (tries > 300) throw new Error('the replica did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

test('readFrom primary (the default): no replica is connected', async () => {
  const client = clients[0] as MaintCluster;
  assert.is(client.state().nodes.length, 3);
  assert.ok(client.state().nodes.every((node) => node.role === 'primary'));
});

test('prefer-replica: reads are served by the replicas (READONLY connections), writes by the primaries, no redirect', async () => {
  const events: ClusterEvent[] = [];
  const client = await open({ readFrom: 'prefer-replica' }, events);
  await until(() => replicasUp(client, 3), 5000, 'the replica pools');
  for (const key of keys) assert.is(await client.set(key, key), 'OK');
  await replicated();
  const before = await Promise.all(cluster.nodes.map((node) => calls(node, 'get')));
  for (const key of keys) assert.is(await client.get(key), key);
  assert.equal(await client.call('MGET', keys[0]!, keys[1]!, keys[2]!), [keys[0], keys[1], keys[2]]);
  const after = await Promise.all(cluster.nodes.map((node) => calls(node, 'get')));
  const served = cluster.nodes.map((node, i) => ({ replica: node.replicaOf !== null, gets: (after[i] as number) - (before[i] as number) }));
  assert.ok(served.filter((s) => !s.replica).every((s) => s.gets === 0), `primaries served no GET: ${JSON.stringify(served)}`);
  assert.is(served.filter((s) => s.replica).reduce((sum, s) => sum + s.gets, 0), keys.length);
  assert.ok(served.filter((s) => s.replica).every((s) => s.gets > 0), 'each replica served its shard');
  for (const replica of cluster.replicas) {
    // The client's connection is in READONLY mode (flag r); the admin connection asking is not.
    const list = String(await cluster.command(replica, 'CLIENT', 'LIST')).split('\n');
    assert.is(list.filter((line) => /flags=\S*r/.test(line)).length, 1, list.join('\n'));
  }
  assert.not.ok(events.some((event) => event.type === 'cluster.redirected'), 'no write reached a replica');
  // SCRIPT LOAD goes to every node, replicas included: EVALSHA_RO runs on the replicas.
  const sha = (await client.call('SCRIPT', 'LOAD', "return redis.call('GET', KEYS[1])")) as string;
  for (const node of cluster.nodes) assert.equal(await cluster.command(node, 'SCRIPT', 'EXISTS', sha), [1]);
  const ro = await Promise.all(cluster.replicas.map((node) => calls(node, 'evalsha_ro')));
  for (const key of keys.slice(0, 10)) assert.is(await client.call('EVALSHA_RO', sha, '1', key), key);
  const roAfter = await Promise.all(cluster.replicas.map((node) => calls(node, 'evalsha_ro')));
  assert.is(roAfter.reduce((a, b) => a + b, 0) - ro.reduce((a, b) => a + b, 0), 10);
  const state = client.state();
  assert.is(state.nodes.filter((node) => node.role === 'replica').length, 3);
  assert.ok(state.nodes.filter((node) => node.role === 'replica').every((node) => node.slots.length === 0));
});

test('any: reads spread over each shard’s primary and replica', async () => {
  const client = await open({ readFrom: 'any' });
  await until(() => replicasUp(client, 3), 5000, 'the replica pools');
  const shard = cluster.primaries[1]!;
  const ownKeys = keys.filter((key) => keySlot(key) >= shard.slots![0] && keySlot(key) <= shard.slots![1]);
  const before = [await calls(shard, 'get'), await calls(replicaOf(shard), 'get')];
  for (let round = 0; round < 4; round++) for (const key of ownKeys) assert.is(await client.get(key), key);
  const after = [await calls(shard, 'get'), await calls(replicaOf(shard), 'get')];
  const primaryGets = (after[0] as number) - (before[0] as number);
  const replicaGets = (after[1] as number) - (before[1] as number);
  assert.is(primaryGets + replicaGets, 4 * ownKeys.length);
  assert.ok(primaryGets > 0 && replicaGets > 0, `primary ${primaryGets}, replica ${replicaGets}`);
});

test('a replica that answers LOADING (reading its data again): the read is retried on the primary', async () => {
  const events: ClusterEvent[] = [];
  const client = await open({ readFrom: 'prefer-replica' }, events);
  await until(() => replicasUp(client, 3), 5000, 'the replica pools');
  const shard = cluster.primaries[2]!;
  const replica = replicaOf(shard);
  const ownKeys = keys.filter((key) => keySlot(key) >= shard.slots![0] && keySlot(key) <= shard.slots![1]);
  // Enough data on the replica that reloading it takes a while (the server answers LOADING meanwhile).
  await cluster.command(replica, 'DEBUG', 'POPULATE', '300000', 'pop');
  const primaryGets = await calls(shard, 'get');
  let running = true;
  const failures: unknown[] = [];
  const readers = Array.from({ length: 4 }, async (_, caller) => {
    for (let i = 0; running; i++) {
      const key = ownKeys[(caller * 5 + i) % ownKeys.length] as string;
      await client.get(key).then((value) => assert.is(value, key), (error: unknown) => failures.push(error));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  });
  await cluster.command(replica, 'DEBUG', 'RELOAD');
  running = false;
  await Promise.all(readers);
  assert.equal(failures, []);
  assert.ok(events.some((event) => event.type === 'cluster.redirected' && event.kind === 'retry' && event.from === address(replica)), 'a LOADING reply was retried');
  assert.ok((await calls(shard, 'get')) > primaryGets, 'the primary served the retries');
});

test('a replica killed under load: its reads go to the primary, none fails', async () => {
  const events: ClusterEvent[] = [];
  const client = await open({ readFrom: 'prefer-replica' }, events);
  await until(() => replicasUp(client, 3), 5000, 'the replica pools');
  const shard = cluster.primaries[0]!;
  const victim = replicaOf(shard);
  const ownKeys = keys.filter((key) => keySlot(key) >= shard.slots![0] && keySlot(key) <= shard.slots![1]);
  let running = true;
  const failures: unknown[] = [];
  let served = 0;
  const callers = Array.from({ length: 4 }, async (_, caller) => {
    for (let i = 0; running; i++) {
      const key = ownKeys[(caller * 7 + i) % ownKeys.length] as string;
      try {
        assert.is(await client.get(key), key);
        served++;
      } catch (error) {
        failures.push(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await victim.process.kill();
  await until(() => events.some((event) => event.type === 'connection.reconnecting' && event.node === address(victim)), 3000, 'the replica lost');
  const before = await calls(shard, 'get');
  // An all_nodes command skips the replica that is down (it is still in the map).
  assert.is(client.state().nodes.filter((node) => node.role === 'replica').length, 3);
  assert.match(String(await client.call('SCRIPT', 'LOAD', 'return 1')), /^[0-9a-f]{40}$/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  running = false;
  await Promise.all(callers);
  assert.equal(failures, []);
  assert.ok(served > 50, `${served} served`);
  assert.ok((await calls(shard, 'get')) - before > 20, 'the primary serves the shard’s reads');
  for (const key of ownKeys) assert.is(await client.get(key), key);
  // Once the cluster marks it failed, a refresh drops it from the map.
  await until(() => events.some((event) => event.type === 'cluster.node.removed' && event.node === address(victim)), 10_000, 'the dead replica retired');
  assert.is(client.state().nodes.filter((node) => node.role === 'replica').length, 2);
});

test.run();
