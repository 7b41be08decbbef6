/**
 * `create_database` / `delete_database` as the official clients send them (redis-py
 * `create_database(bdb_config)`: `{database_config}` then the action's `output` is the endpoint
 * config; go-redis `CreateDatabase(clusterIndex, cfg)`: `{cluster_index, database_config}`, output
 * `bdb_id`; `DeleteDatabase`: `{cluster_index, bdb_id}`), against `hitless-simulator --spawn` in
 * its own process; actions addressed by `bdb_id` reach the created database, node-redis and a
 * hitless cluster client carry traffic on them, the endpoints file gains and loses them.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from 'redis';
import { createMaintCluster } from '../../src/index.js';
import { startContractRig, type ContractRig } from './suite-setup.js';

interface Entry {
  bdb_id: number;
  name: string;
  username: string;
  password: string;
  tls: boolean;
  endpoints: string[];
  raw_endpoints: Array<{ dns_name: string; port: number; proxy_policy: string }>;
}

const test = suite<{ rig: ContractRig; file: string }>('create_database / delete_database');

test.before(async (context) => {
  context.rig = await startContractRig(undefined, ['--max-databases', '2']);
  context.file = context.rig.endpointsFile;
});

test.after.each(({ rig }) => {
  rig.destroyClients();
});

test.after(async ({ rig }) => {
  await rig.close();
});

const refused = (run: () => Promise<unknown>) => run().then(() => '', (error: Error) => error.message);
const file = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, Entry>;
const dialRefused = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

test('redis-py: create_database {database_config} → the endpoint config; node-redis works on it; migrate+bind by its bdb_id reach it only', async ({ rig, file: path }) => {
  const created = await rig.fi.run('create_database', { database_config: { name: 'm-two', port: 12000, memory_size: 268435456, replication: true, sharding: false, shards_count: 1, oss_cluster: false, eviction_policy: 'noeviction' } });
  const output = created.output as Entry;
  assert.is(output.bdb_id, 2);
  assert.is(output.name, 'm-two');
  assert.equal([output.username, output.password, output.tls], ['default', '', false]);
  const [raw] = output.raw_endpoints;
  assert.is(output.endpoints[0], `redis://${raw!.dns_name}:${raw!.port}`);
  assert.equal(Object.keys(file(path)), ['standalone', 'm-two'], 'the endpoints file gained it');
  const { name: _name, ...entry } = output;
  assert.equal(file(path)['m-two'], entry, 'its entry is the action’s output');
  assert.is.not(raw!.port, rig.db.port);

  const main = await rig.client();
  const other = await rig.client({ socket: { host: raw!.dns_name, port: raw!.port } });
  await main.set('where', 'main');
  await other.set('where', 'other');
  assert.equal([await main.get('where'), await other.get('where')], ['main', 'other'], 'two databases, two keyspaces');

  rig.log.length = 0;
  await rig.fi.wait((await rig.fi.migrateAndBind(2, 0)).action_id);
  assert.equal(rig.log.map((event) => event.type), ['MIGRATING', 'MIGRATED', 'MOVING'], 'one client told: the one on database 2');
  assert.is(await other.get('where'), 'other', 'traffic resumes on the created database after its handoff');
  assert.is(await main.get('where'), 'main');
  const mainConnections = await rig.connections();
  assert.ok(mainConnections.every((connection) => connection.endpoint === connection.node || connection.endpoint.endsWith(`:${rig.db.port}`)), 'the simulator’s own database did not move');
});

test('rladmin status -b 2 (POST /rladmin, redis-py) names database 2 and lists database 1 in DATABASES, as find_database_id_by_name reads it', async ({ rig }) => {
  const response = await fetch(`${rig.fi.baseUrl}/rladmin`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'rladmin -b 2 status' });
  const { action_id: actionId } = (await response.json()) as { action_id: string };
  const status = await rig.fi.wait(actionId);
  const text = (status.output as { output: string }).output;
  const databases: Array<[number, string]> = [];
  let inSection = false;
  for (const line of text.split('\n').map((entry) => entry.trim())) {
    if (line.startsWith('DATABASES:')) inSection = true;
    else if (inSection && line === '') break;
    else if (inSection && !line.startsWith('DB:ID')) databases.push([Number(line.split(/\s+/)[0]!.replace('db:', '')), line.split(/\s+/)[1]!]);
  }
  assert.equal(databases, [[2, 'm-two'], [1, 'standalone']]);
  assert.match(text, /ENDPOINTS:\n.*\ndb:2 +m-two +endpoint:2:1/);
});

test('errors: a taken name, no name, the cap; deleting an unknown database or the simulator’s own is a failed action', async ({ rig }) => {
  assert.match(await refused(() => rig.fi.trigger('create_database', { database_config: { name: 'm-two' } })), /^HTTP 400 - .*database_config\.name.*delete_database the other/);
  assert.match(await refused(() => rig.fi.trigger('create_database', { database_config: { port: 1 } })), /^HTTP 400 - .*database_config\.name/);
  assert.match(await refused(() => rig.fi.trigger('create_database', {})), /^HTTP 400 - .*database_config/);
  assert.match(await refused(() => rig.fi.run('delete_database', { cluster_index: 0, bdb_id: 9 })), /failed!.*no database 9; the databases are 1 \(standalone\), 2 \(m-two\)/);
  assert.match(await refused(() => rig.fi.run('delete_database', { bdb_id: '1' })), /failed!.*simulator's own/);
  assert.match(await refused(() => rig.fi.trigger('delete_database', {})), /^HTTP 400 - .*bdb_id/);
});

test('go-redis: CreateDatabase(0, {oss_cluster, shards_count: 2}) → a cluster database; a hitless cluster client on it through go-redis’s POST /slot-migrate?…&bdb_id=3; the cap refuses a third', async ({ rig, file: path }) => {
  const created = await rig.fi.run('create_database', { cluster_index: 0, database_config: { name: 'oss', port: 13000, replication: false, sharding: true, shards_count: 2, oss_cluster: true, proxy_policy: 'all-master-shards', oss_cluster_api_preferred_ip_type: 'external' } });
  const output = created.output as Entry;
  assert.is(output.bdb_id, 3);
  assert.is(output.raw_endpoints[0]!.proxy_policy, 'all-master-shards');
  assert.is(output.endpoints.length, 3, 'two primaries and a spare');
  assert.equal(Object.keys(file(path)), ['standalone', 'm-two', 'oss']);
  assert.match(await refused(() => rig.fi.trigger('create_database', { database_config: { name: 'third' } })), /^HTTP 400 - .*at most 2 created databases/);

  const seed = `${output.raw_endpoints[0]!.dns_name}:${output.raw_endpoints[0]!.port}`;
  const cluster = createMaintCluster({ rootNodes: [seed], poolSize: 1, refreshInterval: 0, refreshCooldown: 100 });
  try {
    await cluster.connect();
    const keys = Array.from({ length: 50 }, (_, i) => `oss:${i}`);
    for (const key of keys) await cluster.set(key, key);
    const started = await rig.fi.request<{ action_id: string }>('POST', '/slot-migrate?effect=slot-shuffle&bdb_id=3&cluster_index=0&trigger=migrate');
    const done = await rig.fi.wait(started.action_id);
    assert.equal((done.output as { slots: unknown }).slots, [[0, 4095]], 'half of the first primary’s slots moved');
    for (const key of keys) assert.is(await cluster.get(key), key);
    const status = await rig.fi.run('execute_rladmin_command', { rladmin_command: 'status', bdb_id: '3' });
    const text = (status.output as { output: string }).output;
    assert.match(text, /db:3 +oss +redis +active +2 /);
    assert.match(text, /SHARDS:\n.*\n(db:3 +oss +redis:\d +node:\d +master +[\d,-]+ .*\n?){2}/);
  } finally {
    await cluster.close();
  }
});

test('go-redis: DeleteDatabase(0, id) stops its servers, the file loses it, actions to it are refused', async ({ rig, file: path }) => {
  const before = file(path);
  for (const name of ['m-two', 'oss'] as const) {
    const entry = before[name]!;
    const deleted = await rig.fi.run('delete_database', { cluster_index: 0, bdb_id: entry.bdb_id });
    assert.equal(deleted.output, { bdb_id: entry.bdb_id, name, deleted: true });
    for (const url of entry.endpoints) {
      const { hostname, port } = new URL(url);
      assert.ok(await dialRefused(hostname, Number(port)), `${url} no longer accepts`);
    }
  }
  assert.equal(Object.keys(file(path)), ['standalone']);
  assert.match(await refused(() => rig.fi.migrateAndBind(2, 0)), /^HTTP 400 - .*2 was deleted/);
  const client = await rig.client();
  assert.is(await client.get('where'), 'main', 'the simulator’s own database is untouched');
  const again = createClient({ socket: { host: rig.db.host, port: rig.db.port } });
  await again.connect();
  assert.is(await again.ping(), 'PONG');
  again.destroy();
});

test.run();
