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
    // 300 keys over all slots, and 6 keys in each of 12 of the source's slots (the ones that move).
    const spread = Array.from({ length: 300 }, (_, i) => `drill:${i}`);
    const inSource = (key: string) => keySlot(key) <= source.slots![1];
    const slots = [...new Set(spread.filter(inSource).map((key) => keySlot(key)))].slice(0, 12);
    assert.is(slots.length, 12);
    const perSlot = new Map<number, number>();
    const extra: string[] = [];
    for (let i = 0; extra.length < 6 * slots.length; i++) {
      const key = `hot:${i}`;
      const slot = keySlot(key);
      if (!slots.includes(slot) || (perSlot.get(slot) ?? 0) >= 6) continue;
      perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
      extra.push(key);
    }
    const keys = [...spread, ...extra];
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
    assert.ok(movedKeys >= extra.length, `moved ${movedKeys} keys`);
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

test('mid-migration: a MULTI meeting ASK runs whole on the importing node; a split MGET waits out TRYAGAIN', async () => {
  let cluster: LocalCluster | undefined;
  let client: ReturnType<typeof createMaintCluster> | undefined;
  try {
    cluster = await startCluster({ primaries: 3 });
    const slot = keySlot('{t}');
    const source = cluster.primaries.find((node) => slot >= node.slots![0] && slot <= node.slots![1])!;
    const destination = cluster.primaries.find((node) => node !== source)!;
    client = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: source.port }], poolSize: 1, refreshInterval: 0 });
    const events: ClusterEvent[] = [];
    client.events$.subscribe((event) => events.push(event));
    await client.connect();
    await client.set('{t}:a', '1');
    await client.set('{t}:b', '2');
    await cluster.command(destination, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', source.id);
    await cluster.command(source, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', destination.id);
    await cluster.command(source, 'MIGRATE', destination.host, String(destination.port), '', '0', '5000', 'KEYS', '{t}:b');
    assert.equal(await client.multi([['INCR', '{t}:b'], ['INCR', '{t}:b']]), [3, 4]);
    assert.is(await client.incr('{t}:b'), 5);
    assert.is(await client.get('{t}:a'), '1', 'a key the source still has is served there');
    assert.ok(events.some((event) => event.type === 'cluster.redirected' && event.kind === 'ask'));
    const split = client.call('MGET', '{t}:a', '{t}:b');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.ok(events.some((event) => event.type === 'cluster.redirected' && event.kind === 'retry'), 'TRYAGAIN is being retried');
    await cluster.command(source, 'MIGRATE', destination.host, String(destination.port), '', '0', '5000', 'KEYS', '{t}:a');
    for (const node of [destination, source, ...cluster.primaries.filter((n) => n !== source && n !== destination)]) {
      await cluster.command(node, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', destination.id);
    }
    assert.equal(await split, ['1', '5']);
    assert.is(await client.incr('{t}:a'), 2);
    const owner = client.state().nodes.find((node) => node.node === `127.0.0.1:${destination.port}`)!;
    assert.ok(owner.slots.some(([first, last]) => slot >= first && slot <= last));
  } finally {
    await client?.close();
    await cluster?.stop();
  }
});

test.run();
