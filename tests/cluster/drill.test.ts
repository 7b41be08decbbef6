import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, type ClusterEvent, type MaintCluster } from '../../src/index.js';
import { createClusterSimulator, type MaintClusterSimulator } from '../../src/simulator/cluster/cluster-simulator.js';

/**
 * The drill on a real 3-primary cluster with replicas, through the cluster simulator: 50 callers
 * doing INCR (and reads) on keys over all slots while a third of the slots are resharded (with
 * SMIGRATING/SMIGRATED) after a shard failed over (FAILING_OVER/FAILED_OVER), and then a node's
 * endpoint moves (MOVING; its old address stops accepting).
 */
test('50 INCR callers through a failover, a reshard of a third of the slots and a node endpoint move: zero failures, every key equals its acknowledged INCRs', async () => {
  let sim: MaintClusterSimulator | undefined;
  let client: MaintCluster | undefined;
  try {
    sim = await createClusterSimulator({ primaries: 3, replicasPerPrimary: 1 });
    client = createMaintCluster({ rootNodes: [sim.endpoints[0] as string], poolSize: 2, refreshInterval: 0, refreshCooldown: 100 });
    const c = client;
    const events: ClusterEvent[] = [];
    c.events$.subscribe((event) => events.push(event));
    await c.connect();
    const keys = Array.from({ length: 2000 }, (_, i) => `drill:${i}`);
    const acked = new Map<string, number>();
    const failures: Error[] = [];
    let running = true;
    let reads = 0;
    let seed = 3;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
    const callers = Array.from({ length: 50 }, async () => {
      while (running) {
        const key = keys[Math.floor(random() * keys.length)] as string;
        try {
          await c.incr(key);
          acked.set(key, (acked.get(key) ?? 0) + 1);
          if (random() < 0.2) {
            await c.get(key);
            reads++;
          }
        } catch (error) {
          failures.push(error as Error);
          // A failure can come back at once: let timers run.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The first shard fails over; then a third of the slots (some of the promoted node's among them) move to the third.
    const failover = await sim.failover({ node: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const began = Date.now();
    const reshard = await sim.reshard({ slots: [[3641, 9101]], to: 2 });
    const reshardMs = Date.now() - began;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The third primary's address moves; its old one stops accepting at closeS.
    const bound = await sim.bind({ node: 2, timeS: 1.5 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(callers);
    assert.equal(failures.map((error) => `${error.name}: ${error.message}`), []);
    let total = 0;
    for (const [key, count] of acked) {
      total += count;
      assert.is(Number(await c.get(key)), count, key);
    }
    const count = (predicate: (event: ClusterEvent) => boolean) => events.filter(predicate).length;
    const promoted = c.state().nodes.find((node) => node.node === failover.promoted)!;
    assert.equal(promoted.slots, [[0, 3640]], 'the promoted replica serves what its shard kept');
    assert.not.ok(c.state().nodes.some((node) => node.node === bound.from), 'no node left at the old address');
    const destination = c.state().nodes.find((node) => node.node === bound.to)!;
    assert.ok(destination !== undefined, 'the moved node is named by its new address');
    assert.is(count((event) => event.type === 'cluster.node.moved' && event.from === bound.from && event.to === bound.to), 1, 'the node was re-keyed once');
    assert.ok(destination.slots.some(([first, last]) => first <= 3641 && last >= 9101), 'the destination serves the resharded slots');
    assert.is(count((event) => event.type === 'cluster.slots.migrated' && event.seq === reshard.smigratedSeq), 2, 'one move per source, applied once');
    // Events tell the story per node: FAILING_OVER relaxed the old primary, SMIGRATING each reshard source.
    const relaxedOn = (node: string, source: string) => count((event) => event.type === 'connection.relaxed' && event.node === node && event.source.startsWith(source)) > 0;
    assert.ok(relaxedOn(sim.endpoints[0] as string, 'FAILING_OVER'), 'the failed-over primary was relaxed');
    for (const move of reshard.moves) assert.ok(relaxedOn(move.source, 'SMIGRATING'), `${move.source} was relaxed by SMIGRATING`);
    const handedOff = count((event) => event.type === 'handoff.succeeded' && event.seq === bound.seq && event.to === bound.to);
    assert.is(handedOff, 2, "both of the moved node's pooled connections were handed off to its new address");
    assert.is(reshard.moves.length, 2);
    assert.ok(reshard.moves.some((move) => move.source === failover.promoted), 'the promoted replica was one of the sources');
    const refreshes = count((event) => event.type === 'cluster.refreshed');
    console.log(
      `  ${total} INCRs + ${reads} reads, ${reshard.keys} keys over ${9101 - 3641 + 1} slots in ${reshardMs} ms; ` +
        `${count((e) => e.type === 'cluster.redirected' && e.kind === 'moved')} MOVED, ${count((e) => e.type === 'cluster.redirected' && e.kind === 'ask')} ASK, ` +
        `${count((e) => e.type === 'cluster.redirected' && e.kind === 'retry')} retries, ${refreshes} refreshes, ${count((e) => e.type === 'connection.relaxed')} relaxed`,
    );
  } finally {
    await client?.close();
    await sim?.close();
  }
});

test.run();
