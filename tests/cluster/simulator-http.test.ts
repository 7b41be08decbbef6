import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, type MaintCluster } from '../../src/index.js';
import { createMaintSimulator, type MaintClusterSimulator } from '../../src/simulator/index.js';
import { FaultInjector } from '../contract/fault-injector.js';
import { until } from '../helpers/client.js';
import { plain, RawRespClient } from '../helpers/raw-resp-client.js';
import { dial, settle } from '../simulator/support.js';

/**
 * The cluster mode's HTTP API driven while a createMaintCluster client does traffic: reshard,
 * failover, bind and slot_migrate, each through POST /action and polling, zero failed commands;
 * late joiners told SMIGRATING and MOVING.
 */
let sim: MaintClusterSimulator;
let client: MaintCluster;
let fi: FaultInjector;
test.before(async () => {
  sim = await createMaintSimulator({ cluster: { primaries: 3, replicasPerPrimary: 1, spares: 1, apiPort: 0, actionDefaults: { bind: { time_s: 1, close_s: 1.2 } } } });
  fi = new FaultInjector(sim.api!);
  client = createMaintCluster({ rootNodes: [sim.endpoints[0] as string], poolSize: 2, refreshInterval: 0, refreshCooldown: 100 });
  await client.connect();
});
test.after(async () => {
  await client?.close();
  await sim?.close();
});

function workload(callers: number, keys: number) {
  const acked = new Map<string, number>();
  const failures: string[] = [];
  let running = true;
  let n = 0;
  const loops = Array.from({ length: callers }, async () => {
    while (running) {
      const key = `http:${n++ % keys}`;
      try {
        await client.incr(key);
        acked.set(key, (acked.get(key) ?? 0) + 1);
      } catch (error) {
        failures.push(`${(error as Error).name}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  });
  return {
    acked,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function optedIn(address: string): Promise<RawRespClient> {
  const raw = await RawRespClient.connect(address);
  await raw.send(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'internal-ip']);
  return raw;
}

test('reshard, failover, bind and slot_migrate over HTTP under 30 INCR callers: zero failed commands, every key exact, CLUSTER SHARDS names the bound address', async () => {
  const load = workload(30, 600);
  try {
    await traffic(load);
  } finally {
    await load.stop();
  }
  assert.equal(load.failures, []);
  for (const [key, count] of load.acked) assert.is(Number(await client.get(key)), count, key);
});

async function traffic(load: ReturnType<typeof workload>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const resharded = await fi.run('reshard', { slots: [[0, 2000]], to: 1 });
  assert.is(resharded.status, 'success');
  assert.equal((resharded.output as { moves: Array<{ slots: unknown }> }).moves.map((move) => move.slots), [[[0, 2000]]]);

  const failedOver = await fi.run('failover', { node: 2, bdb_id: '1' });
  const promoted = (failedOver.output as { promoted: string }).promoted;
  assert.ok(sim.endpoints.slice(3).includes(promoted), 'a replica was promoted');

  const before = sim.nodes[1]!.endpoint;
  const bound = (await fi.run('bind', { node: 1 })).output as { from: string; to: string; told: number };
  assert.is(bound.from, before);
  assert.is(sim.nodes[1]!.endpoint, bound.to);
  assert.ok(bound.told > 0, 'the node’s connections were told MOVING');
  assert.is(await dial(before), 'ECONNREFUSED', 'the old address is gone');
  const shards = JSON.stringify(await sim.command(sim.nodes[0]!, 'CLUSTER', 'SHARDS'));
  assert.match(shards, String(Number(bound.to.split(':')[1])));
  assert.not.match(shards, `"port",${before.split(':')[1]}`);

  const shuffled = await fi.run('slot_migrate', { bdb_id: '1', cluster_index: 0, effect: 'slot-shuffle', variant: 'migrate' });
  assert.is((shuffled.output as { effect: string }).effect, 'slot-shuffle');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(load.acked.size > 0);
  assert.ok(client.state().nodes.some((node) => node.node === bound.to), 'the client serves the node at its new address');
  assert.equal(sim.actions().map((action) => [action.type, action.status]), [['reshard', 'success'], ['failover', 'success'], ['bind', 'success'], ['slot_migrate', 'success']]);
}

test('a connection that opts in on a node under migration is told SMIGRATING too; one opting in on the old address during a bind is told MOVING', async () => {
  const owners = await sim.owners();
  const source = owners[12_000]!;
  const destination = sim.nodes.find((node) => owners.includes(node) && node !== source)!;
  const early = await optedIn(source.endpoint);
  const { action_id: actionId } = await fi.trigger('reshard', { slots: [[12_000, 12_010]], to: destination.index, pauseMs: 400 });
  await early.waitForPush((push) => plain(push.elements[0]!) === 'SMIGRATING');
  const late = await optedIn(source.endpoint);
  const push = await late.waitForPush((candidate) => plain(candidate.elements[0]!) === 'SMIGRATING');
  const done = await fi.wait(actionId);
  const output = done.output as { smigratingSeqs: number[]; smigratedSeq: number };
  assert.equal(push.elements.slice(1).map(plain), [output.smigratingSeqs[0], '12000-12010']);
  await late.waitForPush((candidate) => plain(candidate.elements[0]!) === 'SMIGRATED');
  const after = await optedIn(source.endpoint);
  await settle(after);
  assert.is(after.pushes.length, 0, 'nothing once the migration is over');

  const node = sim.nodes[0]!;
  const old = node.endpoint;
  const { action_id: bindId } = await fi.trigger('bind', { node: 0, time_s: 2, close_s: 1 });
  await until(() => node.endpoint !== old, 5000, 'the new address');
  await until(() => sim.actions().some((action) => action.actionId === bindId && action.status === 'running'), 5000, 'bind running');
  const onOld = await optedIn(old);
  const moving = await onOld.waitForPush((candidate) => plain(candidate.elements[0]!) === 'MOVING');
  assert.is(plain(moving.elements[3]!), `127.0.0.1:${node.endpoint.split(':')[1]}`);
  const onNew = await optedIn(node.endpoint);
  await fi.wait(bindId);
  await settle(onNew);
  assert.equal(onNew.pushesOf('MOVING'), [], 'a connection on the new address is not told');
  await onOld.closed;
  for (const raw of [early, late, after, onNew]) await raw.close();
});

test.run();
