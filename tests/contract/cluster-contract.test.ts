import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintSimulator, type MaintClusterSimulator } from '../../src/simulator/index.js';
import { until } from '../helpers/client.js';
import { plain, RawRespClient } from '../helpers/raw-resp-client.js';
import { FaultInjector } from './fault-injector.js';

/**
 * The cluster actions of the fault-injector contract, called as the official clients call them:
 * redis-py `trigger_effect` (POST /action slot_migrate {bdb_id, cluster_index, effect, variant}),
 * go-redis `TriggerSlotMigrate` (POST /slot-migrate?effect=…&bdb_id=…&cluster_index=…&trigger=…,
 * no body) and `GetSlotMigrateTriggers` (GET /slot-migrate?effect=…&cluster_index=…), polled
 * with GET /action/{id} until success / failed.
 */
let sim: MaintClusterSimulator;
let fi: FaultInjector;
test.before(async () => {
  sim = await createMaintSimulator({ cluster: { primaries: 2, replicasPerPrimary: 1, spares: 1, apiPort: 0, actionDefaults: { bind: { time_s: 0.5, close_s: 0.5 } } } });
  fi = new FaultInjector(sim.api!);
});
test.after(async () => {
  await sim?.close();
});

async function optedIn(address: string): Promise<RawRespClient> {
  const raw = await RawRespClient.connect(address);
  await raw.send(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'internal-ip']);
  return raw;
}

const kinds = (raw: RawRespClient) => raw.pushes.map((push) => plain(push.elements[0]!));

test('GET /actions, GET /action and the trigger listings GET /slot-migrate?effect=… (go-redis)', async () => {
  const types = await fi.request<string[]>('GET', '/actions');
  assert.ok(['slot_migrate', 'reshard', 'bind', 'failover', 'node_kill'].every((type) => types.includes(type)));
  assert.equal((await fi.request<{ actions: unknown[] }>('GET', '/action')).actions, []);
  const listing = await fi.request<{ effect: string; cluster: { primaries: number; replicas: number; spares: number }; triggers: Array<{ name: string; requirements: unknown[] }> }>('GET', '/slot-migrate?effect=remove-add&cluster_index=0');
  assert.is(listing.effect, 'remove-add');
  assert.equal(listing.triggers.map((trigger) => trigger.name), ['migrate', 'failover']);
  assert.equal([listing.cluster.primaries, listing.cluster.replicas, listing.cluster.spares], [2, 2, 1]);
  for (const [effect, names] of [['slot-shuffle', ['migrate']], ['remove', ['migrate']], ['add', ['migrate']], ['unknown', []]] as const) {
    const { triggers } = await fi.request<{ triggers: Array<{ name: string }> }>('GET', `/slot_migrate?effect=${effect}`);
    assert.equal(triggers.map((trigger) => trigger.name), names, effect);
  }
  assert.equal((await fi.request<{ triggers: unknown[] }>('GET', '/bind?effect=x')).triggers, []);
});

test('failover and bind with only bdb_id (the contract’s bodies) act on the owner of slot 0', async () => {
  const owner = (await sim.owners())[0]!;
  const failedOver = await fi.run('failover', { bdb_id: '1' });
  assert.is(failedOver.status, 'success');
  const promoted = (failedOver.output as { promoted: string }).promoted;
  const current = (await sim.owners())[0]!;
  assert.equal([current.endpoint !== owner.endpoint, current.endpoint], [true, promoted]);
  const bound = await fi.run('bind', { bdb_id: '1' });
  assert.is((bound.output as { to: string }).to, current.endpoint, 'the owner of slot 0 moved');

});

test("go-redis: POST /slot-migrate?effect=slot-shuffle&…&trigger=migrate with no body; SMIGRATING then SMIGRATED reach the source's connections", async () => {
  const owners = await sim.owners();
  const source = owners[0]!;
  const raw = await optedIn(source.endpoint);
  const started = await fi.request<{ action_id: string; status: string }>('POST', '/slot-migrate?effect=slot-shuffle&bdb_id=1&cluster_index=0&trigger=migrate');
  assert.is(started.status, 'pending');
  const done = await fi.wait(started.action_id, { intervalMs: 50 });
  assert.is(done.status, 'success');
  const output = done.output as { source: string; target: string; slots: Array<[number, number]> };
  assert.is(output.source, source.endpoint);
  assert.ok(output.target !== source.endpoint && sim.endpoints.includes(output.target));
  assert.equal(output.slots, [[0, 4095]], 'half of the source’s slots');
  await raw.waitForPush((push) => plain(push.elements[0]!) === 'SMIGRATED');
  assert.equal(kinds(raw), ['SMIGRATING', 'SMIGRATED']);
  assert.is(plain(raw.pushes[0]!.elements[2]!), '0-4095');
  assert.is((await sim.owners())[0], sim.nodes.find((node) => node.endpoint === output.target));
  await raw.close();
});

test("redis-py: POST /action slot_migrate {bdb_id, cluster_index, effect: remove-add, variant: failover} moves a primary's slots to its replica", async () => {
  const source = (await sim.owners())[16_000]!;
  const raw = await optedIn(source.endpoint);
  const done = await fi.run('slot_migrate', { bdb_id: 1, cluster_index: 0, effect: 'remove-add', variant: 'failover', source_node: source.index });
  const output = done.output as { trigger: string; target: string };
  assert.is(output.trigger, 'failover');
  const promoted = sim.nodes.find((node) => node.endpoint === output.target)!;
  assert.is(promoted.server.replicaOf, source.id, 'its replica took over');
  assert.is((await sim.owners())[16_000], promoted);
  await raw.waitForPush((push) => plain(push.elements[0]!) === 'SMIGRATED');
  assert.equal(kinds(raw), ['SMIGRATING', 'SMIGRATED']);
  await raw.close();
});

test('slot_migrate add fills the spare; a second add has no spare left and ends as failed, with the error, as the suites poll it', async () => {
  const added = await fi.run('slot_migrate', { bdb_id: '1', effect: 'add' });
  const spare = sim.nodes[sim.nodes.length - 1]!;
  assert.is((added.output as { target: string }).target, spare.endpoint);
  const { action_id: actionId } = await fi.trigger('slot_migrate', { bdb_id: '1', effect: 'add' });
  const error = await fi.wait(actionId, { intervalMs: 50 }).then(() => '', (e: Error) => e.message);
  assert.match(error, 'no spare primary');
  const status = await fi.request<{ status: string; error: string }>('GET', `/action/${actionId}`);
  assert.equal([status.status, status.error.includes('spares: 1')], ['failed', true]);
});

test('slot_migrate ends as failed, with the reason, when the nodes it is given cannot do the effect; trigger default is migrate', async () => {
  const owners = await sim.owners();
  const primary = owners[5000]!;
  const roles = await Promise.all(sim.nodes.map(async (node) => String(((await sim.command(node, 'ROLE')) as unknown[])[0])));
  const replica = sim.nodes[roles.indexOf('slave')]!;
  const failure = async (parameters: Record<string, unknown>) => fi.run('slot_migrate', parameters).then(() => '', (e: Error) => e.message);
  assert.match(await failure({ effect: 'remove', source_node: replica.index }), 'serves no slot');
  assert.match(await failure({ effect: 'remove', source_node: primary.index, target_node: primary.endpoint }), 'the same node');
  const other = sim.nodes.find((node) => owners.includes(node) && node !== primary)!;
  assert.match(await failure({ effect: 'remove-add', trigger: 'failover', source_node: primary.index, target_node: other.index }), "with trigger failover the target is");
  const done = await fi.run('slot_migrate', { effect: 'slot-shuffle', trigger: 'default', source_node: primary.index, target_node: other.id });
  assert.equal([(done.output as { trigger: string }).trigger, (done.output as { target: string }).target], ['migrate', other.endpoint]);
});

test('bad requests are 400s naming the parameter; an unknown action id is a 404', async () => {
  const refused = async (run: () => Promise<unknown>) => run().then(() => '', (e: Error) => e.message);
  assert.match(await refused(() => fi.trigger('slot_migrate', { effect: 'explode' })), /^HTTP 400 - .*parameters\.effect/);
  assert.match(await refused(() => fi.trigger('slot_migrate', { effect: 'remove', trigger: 'failover' })), /^HTTP 400 - .*parameters\.trigger/);
  assert.match(await refused(() => fi.trigger('slot_migrate', { effect: 'remove', source_node: 99 })), /^HTTP 400 - .*parameters\.source_node/);
  assert.match(await refused(() => fi.trigger('dmc_restart', { bdb_id: '1' })), /^HTTP 400 - .*slot_migrate/);
  assert.match(await refused(() => fi.trigger('reshard', { slots: [[5, 1]], to: 0 })), /^HTTP 400 - .*parameters\.slots/);
  assert.match(await refused(() => fi.trigger('bind', { node: 0, colour: 'red' })), /^HTTP 400 - .*parameters\.colour/);
  assert.match(await refused(() => fi.request('POST', '/slot-migrate?effect=remove&colour=red')), /^HTTP 400 - .*colour/);
  assert.match(await refused(() => fi.request('GET', '/action/nope')), /^HTTP 404/);
  assert.match(await refused(() => fi.request('POST', '/action', [])), /^HTTP 400/);
  await sim.run({ type: 'nope' as never }).then(() => assert.unreachable(), (error: Error) => assert.is(error.name, 'ConfigError'));
  await sim.killNode({ node: 99 }).then(() => assert.unreachable(), (error: Error) => assert.match(error.message, 'parameters.node'));
  assert.equal(sim.actions().filter((action) => action.status === 'running'), []);
});

test('connections of every node over HTTP (ids n<node>.<id>), raw injection to one or all, DELETE cuts one; cluster_failover {node_id, force} (go-redis)', async () => {
  const owner = (await sim.owners())[5000]!;
  const raw = await optedIn(owner.endpoint);
  const { connections } = await fi.request<{ connections: Array<{ id: string; nodeIndex: number; node: string; endpointType: string | null }> }>('GET', '/connections');
  const mine = connections.find((connection) => connection.nodeIndex === owner.index && connection.endpointType === 'internal-ip')!;
  assert.match(mine.id, new RegExp(`^n${owner.index}\\.c\\d+$`));
  assert.is(mine.node, owner.endpoint);
  const inject = (path: string, data: string) =>
    fetch(`${sim.api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hitless-simulator': '1' }, body: JSON.stringify({ data, encoding: 'raw' }) });
  assert.is((await inject(`/send-to-client/${mine.id}`, '>2\r\n$5\r\nHELLO\r\n$3\r\none\r\n')).status, 200);
  const all = (await (await inject('/send-to-all-clients', '>2\r\n$5\r\nHELLO\r\n$3\r\nall\r\n')).json()) as { results: Array<{ connectionId: string }> };
  assert.ok(all.results.some((result) => result.connectionId === mine.id));
  await raw.waitForPush((push) => plain(push.elements[1]!) === 'all');
  assert.equal(raw.pushes.map((push) => plain(push.elements[1]!)), ['one', 'all']);
  assert.is((await inject('/send-to-client/n99.c1', '+x\r\n')).status, 404);
  assert.equal(await fi.request('DELETE', `/connections/${mine.id}`), { success: true, connectionId: mine.id });
  await raw.closed;
  assert.match(await fi.request('DELETE', `/connections/${mine.id}`).then(() => '', (e: Error) => e.message), 'HTTP 404');

  const forced = await fi.run('cluster_failover', { node_id: owner.id, force: true });
  assert.is((await sim.owners())[5000]!.endpoint, (forced.output as { promoted: string }).promoted);
});

test('node_kill crashes a node: the cluster fails its slots over to its replica by itself', async () => {
  const victim = (await sim.owners())[16_383]!;
  const killed = await fi.run('node_kill', { node_id: victim.id });
  assert.is((killed.output as { killed: string }).killed, victim.endpoint);
  let owners = await sim.owners();
  const deadline = Date.now() + 15_000;
  while (owners[16_383] === victim && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    owners = await sim.owners();
  }
  assert.ok(owners[16_383] !== undefined && owners[16_383] !== victim, 'a replica serves the dead node’s slots');
  await until(() => victim.simulator.connections().length === 0, 5000, 'no connection left to the dead node');
});

test.run();
