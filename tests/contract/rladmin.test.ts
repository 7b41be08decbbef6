/**
 * redis-py's REFaultInjector drives maintenance through rladmin: it parses `rladmin status`
 * (CLUSTER NODES, ENDPOINTS, SHARDS sections) for the node of the master shard, a node without a
 * shard of the database and the endpoint id, then sends `migrate node T all_shards target_node E`,
 * `bind endpoint ID policy single` and `failover db db:N shard S` as execute_rladmin_command, and
 * `POST /rladmin` with the raw command as text. The parsing below follows its rules (columns by
 * position, sections by their headers); node-redis is the client that receives the notifications.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CONTRACT_DEFAULTS, startContractRig, type ContractRig } from './suite-setup.js';

const test = suite<{ rig: ContractRig }>('rladmin as redis-py drives it');

test.before(async (context) => {
  context.rig = await startContractRig({ ...CONTRACT_DEFAULTS, migrate: { time_s: 2, duration_s: 0.3, delay_ms: 0 } }, ['--endpoints', '3', '--database-name', 'm-standard']);
});

test.after.each(({ rig }) => {
  rig.destroyClients();
  rig.log.length = 0;
});

test.after(async ({ rig }) => {
  await rig.close();
});

function section(status: string, header: string): string[][] {
  const lines = status.split('\n').map((line) => line.trim());
  const start = lines.indexOf(header);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '') break;
    if (!line.startsWith('NODE:ID') && !line.startsWith('DB:ID')) rows.push(line.split(/\s+/));
  }
  return rows;
}

async function status(rig: ContractRig): Promise<string> {
  const done = await rig.fi.run('execute_rladmin_command', { rladmin_command: 'status', bdb_id: rig.db.bdbId });
  return (done.output as { output: string }).output;
}

test('status: nodes with their addresses, the database by name, its endpoint id and the master shard on the node the database is on', async ({ rig }) => {
  const text = await status(rig);
  const nodes = section(text, 'CLUSTER NODES:');
  assert.equal(nodes.map((row) => row[0]!.replace('*', '')), ['node:1', 'node:2', 'node:3']);
  assert.equal(nodes.map((row) => row[3]), ['127.0.0.2', '127.0.0.3', '127.0.0.4'], 'external addresses');
  assert.equal(nodes.map((row) => row[2]), ['127.1.0.2', '127.1.0.3', '127.1.0.4'], 'internal addresses');
  const [database] = section(text, 'DATABASES:');
  assert.equal(database!.slice(0, 2), [`db:${rig.db.bdbId}`, 'm-standard'], 'named as in the endpoints file (--database-name)');
  const [endpoint] = section(text, 'ENDPOINTS:');
  assert.equal(endpoint!.slice(1, 6), ['m-standard', `endpoint:${rig.db.bdbId}:1`, 'node:1', 'single', 'No']);
  const shards = section(text, 'SHARDS:');
  assert.is(shards.length, 1);
  assert.ok(shards[0]!.length >= 8 && shards[0]![4] === 'master' && shards[0]![5]!.startsWith('0-'), 'a master shard from slot 0');
  assert.is(shards[0]![3], 'node:1');
});

test('migrate node T all_shards target_node E, then bind endpoint ID policy single: MIGRATING, MIGRATED, MOVING to node E', async ({ rig }) => {
  const client = await rig.client({ maintEndpointType: 'external-ip' });
  const text = await status(rig);
  const target = section(text, 'SHARDS:')[0]![3]!.split(':')[1];
  const withShard = new Set(section(text, 'SHARDS:').map((row) => row[3]));
  const empty = section(text, 'CLUSTER NODES:').map((row) => row[0]!.replace('*', '')).filter((node) => !withShard.has(node)).at(-1)!.split(':')[1]!;
  const endpointId = section(text, 'ENDPOINTS:')[0]![2]!.replace('endpoint:', '');
  await rig.fi.run('execute_rladmin_command', { bdb_id: rig.db.bdbId, rladmin_command: `migrate node ${target} all_shards target_node ${empty}` });
  assert.equal(rig.log.map((event) => event.type), ['MIGRATING', 'MIGRATED']);
  assert.is(section(await status(rig), 'SHARDS:')[0]![3], `node:${empty}`, 'the shard moved');
  await rig.fi.run('execute_rladmin_command', { bdb_id: rig.db.bdbId, rladmin_command: `bind endpoint ${endpointId} policy single` });
  const moving = rig.log.find((event) => event.type === 'MOVING');
  const node = section(await status(rig), 'CLUSTER NODES:').find((row) => row[0]!.replace('*', '') === `node:${empty}`)!;
  assert.match(String(moving?.push[3]), new RegExp(`^${node[3]!.replace(/\./g, '\\.')}:`), 'MOVING names the node the shard went to');
  assert.is(section(await status(rig), 'ENDPOINTS:')[0]![3], `node:${empty}`, 'the endpoint is bound there now');
  assert.is(await client.ping(), 'PONG');
});

test('POST /rladmin with the raw text "rladmin -b N failover db db:N shard S" runs a failover (FAILING_OVER, FAILED_OVER)', async ({ rig }) => {
  const client = await rig.client();
  const response = await fetch(`${rig.fi.baseUrl}/rladmin`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: `rladmin -b ${rig.db.bdbId} failover db db:${rig.db.bdbId} shard 1` });
  assert.is(response.status, 200);
  const { action_id: actionId, status: state } = (await response.json()) as { action_id: string; status: string };
  assert.is(state, 'pending');
  const done = await rig.fi.wait(actionId);
  assert.is((done.output as { output: string }).output, 'Done');
  assert.equal(rig.log.map((event) => event.type), ['FAILING_OVER', 'FAILED_OVER']);
  assert.is(await client.set('rladmin:key', 'v'), 'OK');
  const statusText = await fetch(`${rig.fi.baseUrl}/rladmin`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'rladmin status' });
  const statusDone = await rig.fi.wait(((await statusText.json()) as { action_id: string }).action_id);
  assert.match((statusDone.output as { output: string }).output, 'CLUSTER NODES:');
  for (const [type, body, code] of [['text/plain', 'rladmin upgrade db 1', 400], ['application/x-www-form-urlencoded', 'rladmin status', 415]] as const) {
    const refused = await fetch(`${rig.fi.baseUrl}/rladmin`, { method: 'POST', headers: { 'Content-Type': type }, body });
    assert.is(refused.status, code, type);
  }
});

test.run();
