import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, createMaintCluster, HitlessError, TimeoutError, type ClusterEvent, type MaintCluster } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slot.js';
import { startCluster, type LocalCluster, type LocalClusterNode } from '../helpers/cluster.js';
import { until } from '../helpers/client.js';

test('a primary killed: in-flight commands fail typed, its replica is promoted and serves its slots after a refresh', async () => {
  let cluster: LocalCluster | undefined;
  let client: MaintCluster | undefined;
  try {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
    const victim = cluster.primaries[0] as LocalClusterNode;
    const replica = cluster.replicas.find((node) => node.replicaOf === victim.id) as LocalClusterNode;
    client = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: cluster.primaries[1]!.port }], poolSize: 2, commandTimeout: 1500, refreshCooldown: 200, refreshInterval: 0 });
    const events: ClusterEvent[] = [];
    client.events$.subscribe((event) => events.push(event));
    await client.connect();
    const c = client;
    const keys = Array.from({ length: 200 }, (_, i) => `fo:${i}`);
    const victimKeys = keys.filter((key) => keySlot(key) <= victim.slots![1]);
    for (const key of keys) await c.set(key, '0');
    // Replication is asynchronous: wait until the replica has every key before the crash.
    for (let tries = 0; Number(await cluster.command(replica, 'DBSIZE')) < victimKeys.length; tries++) {
      if (tries > 200) throw new Error('the replica did not get the keys');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    let running = true;
    const failures: Error[] = [];
    let served = 0;
    const callers = Array.from({ length: 10 }, async (_, caller) => {
      for (let i = 0; running; i++) {
        try {
          await c.get(keys[(caller * 37 + i) % keys.length] as string);
          served++;
        } catch (error) {
          failures.push(error as Error);
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await victim.process.kill();
    const replicaAddress = `127.0.0.1:${replica.port}`;
    await until(() => c.state().nodes.some((node) => node.node === replicaAddress && node.slots.length > 0), 15_000, 'the promoted replica in the map');
    running = false;
    await Promise.all(callers);
    // Whatever failed did so typed and said whether it may have run.
    for (const error of failures) {
      assert.instance(error, HitlessError);
      assert.ok(error instanceof ConnectionError || error instanceof TimeoutError, `${error.name}: ${error.message}`);
    }
    assert.ok(served > 100);
    // Later commands to the dead primary's slots all succeed on the promoted replica.
    for (const key of victimKeys) assert.is(await c.get(key), '0');
    for (const key of victimKeys) assert.is(await c.incr(key), 1);
    const owner = c.state().nodes.find((node) => node.node === replicaAddress)!;
    assert.equal(owner.slots, [victim.slots]);
    assert.ok(events.some((event) => event.type === 'cluster.node.removed' && event.node === `127.0.0.1:${victim.port}`));
    const refreshes = events.filter((event) => event.type === 'cluster.refreshed' || event.type === 'cluster.refresh.failed');
    console.log(`  ${served} served, ${failures.length} failed typed (${[...new Set(failures.map((e) => (e as HitlessError).code))].join(', ')}), ${refreshes.length} refreshes`);
  } finally {
    await client?.close();
    await cluster?.stop();
  }
});

test.run();
