import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, type ClusterEvent } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slot.js';
import { startCluster, type LocalCluster, type LocalClusterNode } from '../helpers/cluster.js';

/**
 * Plain OSS Redis, no notifications at all: the test itself migrates slots key by key
 * (SETSLOT IMPORTING/MIGRATING, MIGRATE … KEYS, SETSLOT NODE) under 50 concurrent INCR callers.
 * MOVED/ASK/TRYAGAIN handling alone must keep every command succeeding.
 */
async function migrateSlot(cluster: LocalCluster, slot: number, from: LocalClusterNode, to: LocalClusterNode, pause: () => Promise<void>): Promise<number> {
  await cluster.command(to, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', from.id);
  await cluster.command(from, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', to.id);
  let moved = 0;
  for (;;) {
    const keys = (await cluster.command(from, 'CLUSTER', 'GETKEYSINSLOT', String(slot), '1')) as string[];
    if (keys.length === 0) break;
    // One key at a time, with the callers running in between: the ASK window stays open.
    await cluster.command(from, 'MIGRATE', to.host, String(to.port), '', '0', '5000', 'KEYS', ...keys);
    moved += keys.length;
    await pause();
  }
  await cluster.command(to, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
  await cluster.command(from, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
  for (const other of cluster.primaries) if (other !== to && other !== from) await cluster.command(other, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
  return moved;
}

test('50 INCR callers while slots migrate key by key: zero failures, every key equals its acknowledged INCRs', async () => {
  let cluster: LocalCluster | undefined;
  const client = { current: null as ReturnType<typeof createMaintCluster> | null };
  try {
    cluster = await startCluster({ primaries: 3 });
    const [source, destination] = cluster.primaries as [LocalClusterNode, LocalClusterNode];
    // 400 keys over all slots; the slots to move are those of the source's keys among them (up to 12).
    const keys = Array.from({ length: 400 }, (_, i) => `drill:${i}`);
    const inSource = (key: string) => keySlot(key) <= source.slots![1];
    const slots = [...new Set(keys.filter(inSource).map((key) => keySlot(key)))].slice(0, 12);
    assert.ok(slots.length >= 10);
    const cluster1 = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: destination.port }], poolSize: 2, refreshInterval: 0 });
    client.current = cluster1;
    const events: ClusterEvent[] = [];
    cluster1.events$.subscribe((event) => events.push(event));
    await cluster1.connect();
    // Keys in moving slots are written many times; a key is chosen per call from a biased mix.
    const hot = keys.filter((key) => slots.includes(keySlot(key)));
    const acked = new Map<string, number>();
    const failures: Error[] = [];
    let running = true;
    let seed = 1;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
    const callers = Array.from({ length: 50 }, async () => {
      while (running) {
        const key = random() < 0.6 ? (hot[Math.floor(random() * hot.length)] as string) : (keys[Math.floor(random() * keys.length)] as string);
        try {
          await cluster1.incr(key);
          acked.set(key, (acked.get(key) ?? 0) + 1);
          if (random() < 0.1) await cluster1.get(key);
        } catch (error) {
          failures.push(error as Error);
        }
      }
    });
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 3));
    await new Promise((resolve) => setTimeout(resolve, 200));
    let movedKeys = 0;
    for (const slot of slots) movedKeys += await migrateSlot(cluster, slot, source, destination, pause);
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(callers);
    assert.equal(failures.map((error) => error.message), []);
    assert.ok(movedKeys >= hot.length * 0.5, `moved ${movedKeys} keys`);
    let total = 0;
    for (const [key, count] of acked) {
      total += count;
      assert.is(Number(await cluster1.get(key)), count, key);
    }
    assert.ok(total > 2000, `only ${total} INCRs`);
    const kinds = new Set(events.flatMap((event) => (event.type === 'cluster.redirected' ? [event.kind] : [])));
    assert.ok(kinds.has('ask'), 'ASK redirects were followed');
    assert.ok(kinds.has('moved'), 'MOVED redirects were followed');
    // The map now says the destination owns the moved slots.
    const owner = cluster1.state().nodes.find((node) => node.node === `127.0.0.1:${destination.port}`)!;
    for (const slot of slots) assert.ok(owner.slots.some(([first, last]) => slot >= first && slot <= last), `slot ${slot}`);
    const refreshes = events.filter((event) => event.type === 'cluster.refreshed').length;
    const moved = events.filter((event) => event.type === 'cluster.redirected' && event.kind === 'moved').length;
    assert.ok(refreshes <= 2 + slots.length * 2, `${refreshes} refreshes for ${moved} MOVED`);
    console.log(`  ${total} INCRs, ${movedKeys} keys moved over ${slots.length} slots, ${moved} MOVED, ${events.filter((e) => e.type === 'cluster.redirected' && e.kind === 'ask').length} ASK, ${refreshes} refreshes`);
  } finally {
    await client.current?.close();
    await cluster?.stop();
  }
});

test.run();
