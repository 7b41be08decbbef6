import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, type ClusterEvent, type ClusterNotificationRecord, type MaintCluster } from '../../src/index.js';
import { createClusterSimulator, type MaintClusterSimulator } from '../../src/simulator/cluster/cluster-simulator.js';
import { smigratedFlatFrame, smigratedFrame, smigratedPairsFrame, smigratingFrame } from '../../src/simulator/cluster/frames.js';
import { freePort } from '../../src/simulator/redis-process.js';
import { movingFrame } from '../../src/simulator/push-frames.js';
import { keySlot } from '../../src/cluster/slot.js';
import { until } from '../helpers/client.js';

let sim: MaintClusterSimulator;
let client: MaintCluster;
const events: ClusterEvent[] = [];
const notifications: ClusterNotificationRecord[] = [];
test.before(async () => {
  sim = await createClusterSimulator({ primaries: 3 });
  client = createMaintCluster({ rootNodes: [sim.endpoints[0] as string], poolSize: 2, refreshInterval: 0, refreshCooldown: 100, maintNotifications: { relaxedTimeout: 3000 } });
  client.events$.subscribe((event) => events.push(event));
  client.notifications$.subscribe((record) => notifications.push(record));
  await client.connect();
});
test.after(async () => {
  await client?.close();
  await sim?.close();
});

const ownerOf = (slot: number) => client.state().nodes.find((node) => node.slots.some(([first, last]) => slot >= first && slot <= last))?.node;
const refreshes = (reason: string) => events.filter((event) => event.type === 'cluster.refreshed' && event.reason === reason).length;

test('a notification hook sees every node’s notifications, nodes added later included, until removed', async () => {
  const seen: string[] = [];
  await until(() => sim.nodes.every((node) => node.simulator.connections().length === 2), 2000, 'every node connected');
  const remove = client.addNotificationHook({ preHook: (context, notification) => void seen.push(`${notification.type}@${context.endpoint}`) });
  sim.inject(smigratingFrame(7000, [[16000, 16001]]));
  await until(() => new Set(seen).size === 3, 2000, 'the hook to see SMIGRATING from the three primaries');
  remove();
  const count = seen.length;
  sim.inject(smigratingFrame(7001, [[16000, 16001]]));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.is(seen.length, count);
});

test('the map names the proxies the nodes announce', () => {
  const primaries = client.state().nodes.filter((node) => node.slots.length > 0).map((node) => node.node).sort();
  assert.equal(primaries, sim.endpoints.slice(0, 3).slice().sort());
});

test('reshard: SMIGRATING relaxes the source node, SMIGRATED moves the slots at once (no MOVED) and schedules one refresh', async () => {
  const slot = keySlot('{n1}');
  const owners = await sim.owners();
  const source = owners[slot]!;
  const destination = sim.nodes.find((node) => node !== source && node.index < 3)!;
  await client.set('{n1}:k', 'v');
  const running = sim.reshard({ slots: [slot], to: destination.endpoint });
  const result = await running;
  assert.is(result.keys, 1);
  await until(() => ownerOf(slot) === destination.endpoint, 2000, 'the slot to move in the map');
  // Acted on once, though every connection of every node received it.
  const received = notifications.filter((record) => record.notification.type === 'SMIGRATED' && record.notification.seq === result.smigratedSeq);
  assert.ok(received.length >= 3, `${received.length} copies`);
  assert.is(events.filter((event) => event.type === 'cluster.slots.migrated' && event.seq === result.smigratedSeq).length, 1);
  const movedBefore = events.filter((event) => event.type === 'cluster.redirected').length;
  assert.is(await client.get('{n1}:k'), 'v');
  assert.is(events.filter((event) => event.type === 'cluster.redirected').length, movedBefore, 'no redirect after SMIGRATED');
  await until(() => refreshes('SMIGRATED') === 1, 2000, 'the SMIGRATED refresh');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.is(refreshes('SMIGRATED'), 1);
  // The source's connections were relaxed by SMIGRATING and are no longer.
  const relaxed = events.filter((event) => event.type === 'connection.relaxed' && event.node === source.endpoint);
  assert.ok(relaxed.length >= 1);
  assert.ok(client.state().nodes.every((node) => node.connections.every((connection) => connection.relaxedTimeout === null)));
});

test('reshard with malformed and duplicated notifications (faults): the garbage frames are reported and ignored, the real ones acted on once', async () => {
  const slot = keySlot('{n-faults}');
  const owners = await sim.owners();
  const source = owners[slot]!;
  const destination = sim.nodes.find((node) => node !== source && node.index < 3)!;
  await client.set('{n-faults}:k', 'v');
  const invalidBefore = events.filter((event) => event.type === 'notification.invalid').length;
  const result = await sim.reshard({ slots: [slot], to: destination.endpoint, malformed: true, duplicate: true });
  await until(() => ownerOf(slot) === destination.endpoint, 2000, 'the slot to move in the map');
  const invalid = events.filter((event) => event.type === 'notification.invalid');
  assert.ok(invalid.length - invalidBefore >= 2, 'a malformed SMIGRATING and SMIGRATED were reported');
  assert.is(events.filter((event) => event.type === 'cluster.slots.migrated' && event.seq === result.smigratedSeq).length, 1, 'the duplicated SMIGRATED acted on once');
  assert.is(await client.get('{n-faults}:k'), 'v');
  await until(() => client.state().nodes.every((node) => node.connections.every((connection) => connection.relaxedTimeout === null)), 2000, 'no connection left relaxed');
});

test('the older SMIGRATED forms (flat, nested pairs) patch the map as well; a repeated seq is ignored', async () => {
  const slotA = keySlot('{n2}');
  const slotB = keySlot('{n3}');
  for (const [slot, form] of [[slotA, 'flat'], [slotB, 'pairs']] as const) {
    const owners = await sim.owners();
    const destination = sim.nodes.find((node) => node !== owners[slot] && node.index < 3)!;
    const result = await sim.reshard({ slots: [slot], to: destination.index, form });
    await until(() => ownerOf(slot) === destination.endpoint, 2000, `the ${form} form to apply`);
    // The same frame again (same seq): no second effect.
    const count = events.filter((event) => event.type === 'cluster.slots.migrated').length;
    sim.inject(form === 'flat' ? smigratedFlatFrame(result.smigratedSeq!, destination.endpoint, [slot]) : smigratedPairsFrame(result.smigratedSeq!, [{ destination: destination.endpoint, slots: [slot] }]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.is(events.filter((event) => event.type === 'cluster.slots.migrated').length, count);
  }
});

test('an SMIGRATED naming a node never seen creates it at once; the refresh it schedules verifies the map', async () => {
  const slot = keySlot('{n5}');
  const owner = (await sim.owners())[slot]!;
  const stranger = `127.0.0.1:${await freePort()}`;
  await client.set('{n5}:k', 'kept');
  const refreshesBefore = refreshes('SMIGRATED');
  sim.inject(smigratedFrame(8000, [{ source: owner.endpoint, destination: stranger, slots: [slot] }]));
  // Applied at once (the verifying refresh may follow within a millisecond, so the events tell it).
  await until(() => events.some((event) => event.type === 'cluster.slots.migrated' && event.seq === 8000 && event.to === stranger), 2000, 'the SMIGRATED to apply');
  assert.ok(events.some((event) => event.type === 'cluster.node.added' && event.node === stranger));
  // The cluster itself did not move the slot: the verifying refresh puts it back and retires the stranger.
  await until(() => refreshes('SMIGRATED') > refreshesBefore && ownerOf(slot) === owner.endpoint, 3000, 'the verifying refresh');
  assert.ok(events.some((event) => event.type === 'cluster.node.removed' && event.node === stranger));
  assert.is(await client.get('{n5}:k'), 'kept');
});

test('a hook that vetoes SMIGRATED keeps the cluster from acting on it', async () => {
  const remove = client.addNotificationHook({ preHook: (_context, notification) => (notification.type === 'SMIGRATED' ? false : undefined) });
  try {
    const slot = keySlot('{n6}');
    const owner = ownerOf(slot);
    sim.inject(smigratedFrame(8100, [{ source: owner!, destination: `127.0.0.1:${await freePort()}`, slots: [slot] }]));
    await until(() => notifications.some((record) => record.notification.type === 'SMIGRATED' && record.notification.seq === 8100), 2000, 'the SMIGRATED to arrive');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.not.ok(events.some((event) => event.type === 'cluster.slots.migrated' && event.seq === 8100));
    assert.is(ownerOf(slot), owner);
  } finally {
    remove();
  }
});

test('MOVING on a node: its connections hand off (to the address given) and the cluster schedules one refresh', async () => {
  const node = sim.nodes[2]!;
  const port = Number(node.endpoint.slice(node.endpoint.lastIndexOf(':') + 1));
  const before = refreshes('MOVING');
  sim.inject(movingFrame(9100, 2, port, 'internal-ip'), [node]);
  await until(() => refreshes('MOVING') === before + 1, 3000, 'the MOVING refresh');
  await until(() => events.filter((event) => event.type === 'handoff.succeeded' && event.node === node.endpoint).length === 2, 5000, 'both connections handed off');
  const [first, last] = client.state().nodes.find((n) => n.node === node.endpoint)!.slots[0]!;
  const key = Array.from({ length: 100 }, (_, i) => `mv:${i}`).find((k) => keySlot(k) >= first && keySlot(k) <= last)!;
  assert.is(await client.set(key, 'after'), 'OK');
  assert.is(await sim.command(node, 'GET', key), 'after', 'served by the node that moved');
  assert.is(refreshes('MOVING'), before + 1, 'one refresh for both connections');
});

test('SMIGRATED lost: MOVED still finds the slot, and the backstop ends the relaxation', async () => {
  const short = createMaintCluster({ rootNodes: [sim.endpoints[1] as string], poolSize: 1, refreshInterval: 0, maintNotifications: { relaxedTimeout: 150 } });
  const seen: ClusterEvent[] = [];
  short.events$.subscribe((event) => seen.push(event));
  try {
    await short.connect();
    const slot = keySlot('{n4}');
    await short.set('{n4}:k', 'before');
    const owners = await sim.owners();
    const source = owners[slot]!;
    const destination = sim.nodes.find((node) => node !== source && node.index < 3)!;
    const result = await sim.reshard({ slots: [slot], to: destination.index, dropClosing: true });
    assert.is(result.smigratedSeq, null);
    await until(() => seen.some((event) => event.type === 'connection.relaxed' && event.node === source.endpoint), 2000, 'SMIGRATING to relax the source');
    assert.is(await short.get('{n4}:k'), 'before');
    assert.ok(seen.some((event) => event.type === 'cluster.redirected' && event.kind === 'moved' && event.to === destination.endpoint));
    await until(() => seen.some((event) => event.type === 'connection.unrelaxed' && event.node === source.endpoint && event.reason === 'backstop'), 3000, 'the backstop');
  } finally {
    await short.close();
  }
});

test.run();
