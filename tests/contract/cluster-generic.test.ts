/**
 * The contract's generic actions in cluster mode, called as the official clients call them:
 * `sequence_of_actions` (node-redis `migrateAndBindAction`'s shape, go-redis `TriggerSequence`),
 * `execute_rladmin_command status` and redis-py's `POST /rladmin` text, parsed by redis-py's
 * rules; the cluster database's endpoints-file entry; `create_database` from a cluster simulator.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterEndpointsConfig, createMaintSimulator, writeEndpointsFile, type MaintClusterSimulator } from '../../src/simulator/index.js';
import { plain, RawRespClient } from '../helpers/raw-resp-client.js';
import { FaultInjector } from './fault-injector.js';

let sim: MaintClusterSimulator;
let fi: FaultInjector;
let dir: string;
test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hitless-cluster-generic-'));
  sim = await createMaintSimulator({
    cluster: { primaries: 2, replicasPerPrimary: 1, spares: 1, apiPort: 0, actionDefaults: { bind: { time_s: 0.5, close_s: 0.5 }, execute_rladmin_command: { database_name: 'm-cluster' } }, databases: { name: 'm-cluster', max: 1, endpointsConfig: join(dir, 'endpoints.json') } },
  });
  fi = new FaultInjector(sim.api!);
});
test.after(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const refused = (run: () => Promise<unknown>) => run().then(() => '', (error: Error) => error.message);

async function rladmin(command: string): Promise<string> {
  const response = await fetch(`${sim.api}/rladmin`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: command });
  const { action_id: actionId } = (await response.json()) as { action_id: string };
  return ((await fi.wait(actionId)).output as { output: string }).output;
}

/** redis-py's find_target_node_and_empty_node: the node of a master shard and a node with no shard. */
function targetAndEmpty(status: string): { target: string; empty: string; databases: string[] } {
  const section = (name: string) => {
    const lines = status.split('\n');
    const from = lines.indexOf(`${name}:`);
    const to = lines.indexOf('', from);
    return lines.slice(from + 2, to < 0 ? undefined : to).map((line) => line.trim().split(/\s+/));
  };
  const masters = section('SHARDS').filter((row) => row[4] === 'master').map((row) => row[3]!);
  const nodes = section('CLUSTER NODES').map((row) => row[0]!.replace('*', ''));
  const sharded = new Set(section('SHARDS').map((row) => row[3]));
  return { target: masters[0]!, empty: nodes.find((node) => !sharded.has(node))!, databases: section('DATABASES').map((row) => `${row[0]} ${row[1]}`) };
}

test('rladmin status (POST /rladmin text, as redis-py sends it) in rladmin’s layout: master shards, the spare as the empty node, the database by name', async () => {
  const status = await rladmin('rladmin -b 1 status');
  const parsed = targetAndEmpty(status);
  assert.equal(parsed.databases, ['db:1 m-cluster']);
  assert.is(parsed.target, 'node:1', 'the first primary holds a master shard');
  assert.is(parsed.empty, `node:${sim.nodes.length}`, 'the spare holds none');
  assert.match(status, /db:1 +m-cluster +redis +active +2 +sparse +enabled/);
  assert.match(status, /SHARDS:\n.*\n(db:1 +m-cluster +redis:\d +node:\d +(master|slave) .*\n){4}/);
  assert.match(await refused(() => fi.run('execute_rladmin_command', { rladmin_command: 'migrate node 1 all_shards target_node 2' })), /^HTTP 400 - .*'status'/);
});

test('sequence_of_actions {bdbId, actions: [{type, params, delay}]}: a failover then a bind of the owner of slot 0, in order under one id', async () => {
  const owner = (await sim.owners())[0]!;
  const raw = await RawRespClient.connect(owner.endpoint);
  await raw.send(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'internal-ip']);
  const done = await fi.run('sequence_of_actions', {
    bdbId: '1',
    actions: [
      { type: 'failover', params: { bdb_id: '1', cluster_index: '0' } },
      { type: 'execute_rladmin_command', params: { rladmin_command: 'bind endpoint 1:1 policy single', bdb_id: '1' }, delay: 100_000_000 },
    ],
  });
  const [failover, bind] = (done.output as { actions: Array<Record<string, unknown>> }).actions;
  assert.is(failover!['type'], 'failover');
  assert.is(bind!['type'], 'execute_rladmin_command');
  assert.is(bind!['output'], 'Done');
  const promoted = sim.nodes.find((node) => node.endpoint === bind!['to']);
  assert.ok(promoted !== undefined, 'the bind moved the node the failover promoted');
  assert.is((await sim.owners())[0], promoted);
  await raw.waitForPush((push) => plain(push.elements[0]!) === 'FAILED_OVER');
  assert.equal(raw.pushes.map((push) => plain(push.elements[0]!)).slice(0, 2), ['FAILING_OVER', 'FAILED_OVER']);
  await raw.close();
  assert.match(await refused(() => fi.trigger('sequence_of_actions', { actions: [{ type: 'bind', params: {} }, { type: 'dmc_restart', params: {} }] })), /^HTTP 400 - .*parameters\.actions\[1\]/);
  assert.match(await refused(() => fi.trigger('sequence_of_actions', { actions: [{ type: 'sequence_of_actions', params: {} }] })), /^HTTP 400 - .*other than sequence_of_actions/);
});

test('the endpoints file of a cluster database: raw_endpoints[0] a seed (all-master-shards), endpoints every node, primaries first', async () => {
  const config = clusterEndpointsConfig(sim, { name: 'm-cluster' }) as Record<string, { bdb_id: number; endpoints: string[]; raw_endpoints: Array<{ dns_name: string; port: number; proxy_policy: string }> }>;
  const entry = config['m-cluster']!;
  assert.equal(entry.endpoints, sim.endpoints.map((endpoint) => `redis://${endpoint}`));
  assert.equal([entry.bdb_id, `${entry.raw_endpoints[0]!.dns_name}:${entry.raw_endpoints[0]!.port}`, entry.raw_endpoints[0]!.proxy_policy], [1, sim.endpoints[0], 'all-master-shards']);
  await writeEndpointsFile(sim, join(dir, 'written.json'));
  assert.equal(Object.keys(JSON.parse(readFileSync(join(dir, 'written.json'), 'utf8'))), ['cluster']);
});

test('create_database from a cluster simulator: a standalone database (contract defaults) behind its own endpoints; status lists both; delete stops it', async () => {
  const created = await fi.run('create_database', { database_config: { name: 'side', oss_cluster: false } });
  const output = created.output as { bdb_id: number; endpoints: string[] };
  assert.is(output.bdb_id, 2);
  assert.match(output.endpoints[0]!, /^redis:\/\/127\.0\.0\.\d+:\d+$/);
  const file = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(Object.keys(file), ['m-cluster', 'side']);
  const raw = await RawRespClient.connect(output.endpoints[0]!.slice('redis://'.length));
  const [pong] = await raw.send(['PING']);
  assert.is(plain(pong!), 'PONG');
  await raw.close();
  assert.equal(targetAndEmpty(await rladmin('status')).databases, ['db:1 m-cluster', 'db:2 side']);
  assert.match(await refused(() => fi.trigger('create_database', { database_config: { name: 'more' } })), /at most 1 created/);
  await fi.run('delete_database', { bdb_id: 2 });
  assert.equal(Object.keys(JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8')) as object), ['m-cluster']);
});

test.run();
