import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitSlots } from '../../src/simulator/cluster/spawn-cluster.js';
import { parseInfo } from '../../src/simulator/admin-client.js';
import { startCluster, type LocalCluster } from '../helpers/cluster.js';

test('splitSlots covers 0…16383 once, in contiguous parts', () => {
  assert.equal(splitSlots(1), [[0, 16383]]);
  assert.equal(splitSlots(3), [[0, 5460], [5461, 10921], [10922, 16383]]);
});

test('a local cluster of 3 primaries and 1 replica each converges with every slot served', async () => {
  let cluster: LocalCluster | undefined;
  const began = Date.now();
  try {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
    const tookMs = Date.now() - began;
    assert.ok(tookMs < 10_000, `took ${tookMs} ms`);
    assert.is(cluster.nodes.length, 6);
    for (const node of cluster.nodes) {
      const info = parseInfo(await cluster.command(node, 'CLUSTER', 'INFO'));
      assert.is(info.get('cluster_state'), 'ok');
      assert.is(info.get('cluster_slots_assigned'), '16384');
      assert.is(info.get('cluster_known_nodes'), '6');
    }
    for (const replica of cluster.replicas) {
      const role = (await cluster.command(replica, 'ROLE')) as unknown[];
      assert.is(role[0], 'slave');
      const primary = cluster.primaries.find((p) => p.id === replica.replicaOf);
      assert.is(role[2], primary?.port);
    }
    // Key "a" hashes to slot 15495: the third primary's.
    const [first, , third] = cluster.primaries as [LocalCluster['nodes'][number], unknown, LocalCluster['nodes'][number]];
    assert.is(await cluster.command(third, 'SET', 'a', '1'), 'OK');
    const moved = await cluster.command(first, 'SET', 'a', '1').then(() => null, (error: Error) => error.message);
    assert.is(moved, `MOVED 15495 127.0.0.1:${third.port}`);
  } finally {
    await cluster?.stop();
  }
});

test.run();
