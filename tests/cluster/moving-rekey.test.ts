import { connect, createServer, type Server, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, type ClusterEvent, type MaintCluster } from '../../src/index.js';
import { createClusterSimulator, type ClusterSimulatorNode, type MaintClusterSimulator } from '../../src/simulator/cluster/cluster-simulator.js';
import type { AdminValue } from '../../src/simulator/admin-client.js';
import { movingFrameTo } from '../../src/simulator/push-frames.js';
import { keySlot } from '../../src/cluster/slot.js';
import { until } from '../helpers/client.js';

/**
 * A node moves (as a managed database's node does): a second address serves the same node (a
 * plain TCP relay to its front door), the node announces it, and a MOVING naming it goes to the
 * node's connections. Local to this file: the cluster simulator has no `bind` of its own yet.
 */
interface Relay {
  endpoint: string;
  close(): Promise<void>;
}

const relays: Relay[] = [];

async function openRelay(target: string): Promise<Relay> {
  const port = Number(target.slice(target.lastIndexOf(':') + 1));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    const upstream = connect({ host: '127.0.0.1', port });
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const relay = {
    endpoint: `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  relays.push(relay);
  return relay;
}

/** The node announces `endpoint` (its port) and every primary's CLUSTER SLOTS says so. */
async function announce(node: ClusterSimulatorNode, endpoint: string): Promise<void> {
  const port = endpoint.slice(endpoint.lastIndexOf(':') + 1);
  await sim.command(node, 'CONFIG', 'SET', 'cluster-announce-port', port);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const views = await Promise.all(sim.nodes.map((n) => sim.command(n, 'CLUSTER', 'SLOTS')));
    const named = views.every((rows) => (rows as AdminValue[][]).some((row) => String((row[2] as AdminValue[])[2]) === node.id && String((row[2] as AdminValue[])[1]) === port));
    if (named) return;
    if (Date.now() > deadline) throw new Error(`the cluster did not learn ${endpoint} in time`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let sim: MaintClusterSimulator;
let client: MaintCluster;
const events: ClusterEvent[] = [];
let seq = 20_000;

test.before(async () => {
  sim = await createClusterSimulator({ primaries: 3 });
  client = createMaintCluster({ rootNodes: [sim.endpoints[0] as string], poolSize: 2, refreshInterval: 0, refreshCooldown: 100, maintNotifications: { relaxedTimeout: 3000 } });
  client.events$.subscribe((event) => events.push(event));
  await client.connect();
  await until(() => sim.nodes.every((node) => node.simulator.connections().length === 2), 2000, 'every node connected');
});
test.after(async () => {
  await client?.close();
  await Promise.all(relays.map((relay) => relay.close()));
  await sim?.close();
});

const stateOf = (key: string) => client.state().nodes.find((node) => node.node === key);
const ownerOf = (slot: number) => client.state().nodes.find((node) => node.slots.some(([first, last]) => slot >= first && slot <= last))?.node;
const keyIn = (slots: ReadonlyArray<readonly [number, number]>, prefix: string) =>
  Array.from({ length: 2000 }, (_, i) => `${prefix}:${i}`).find((key) => slots.some(([first, last]) => keySlot(key) >= first && keySlot(key) <= last)) as string;

test('MOVING on one node re-keys it in the map: same pool, same slots, commands keep succeeding, no second node', async () => {
  const node = sim.nodes[2]!;
  const old = node.endpoint;
  const slots = stateOf(old)!.slots;
  const relay = await openRelay(old);
  const keys = Array.from({ length: 60 }, (_, i) => `mv:${i}`);
  for (const key of keys) await client.set(key, key);
  const states: string[][] = [];
  const watching = client.state$.subscribe((state) => states.push(state.nodes.map((n) => n.node)));
  let running = true;
  const failures: unknown[] = [];
  let served = 0;
  const callers = Array.from({ length: 4 }, async (_, caller) => {
    for (let i = 0; running; i++) {
      const key = keys[(caller * 17 + i) % keys.length] as string;
      try {
        assert.is(await client.get(key), key);
        served++;
      } catch (error) {
        failures.push(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  });
  const from = events.length;
  await announce(node, relay.endpoint);
  sim.inject(movingFrameTo(++seq, 2, relay.endpoint), [node]);
  await until(() => events.slice(from).filter((e) => e.type === 'handoff.succeeded').length === 2, 5000, 'both connections handed off');
  await until(() => events.slice(from).some((e) => e.type === 'cluster.refreshed' && e.reason === 'MOVING'), 3000, 'the MOVING refresh');
  await new Promise((resolve) => setTimeout(resolve, 150));
  running = false;
  await Promise.all(callers);
  watching.unsubscribe();

  const since = events.slice(from);
  assert.equal(failures, []);
  assert.ok(served > 20, `${served} served`);
  assert.equal(since.filter((e) => e.type === 'cluster.node.moved').map((e) => e.type === 'cluster.node.moved' && [e.from, e.to]), [[old, relay.endpoint]]);
  assert.not.ok(since.some((e) => e.type === 'cluster.node.added' || e.type === 'cluster.node.removed'), 'no node opened or closed');
  assert.is(stateOf(old), undefined);
  const moved = stateOf(relay.endpoint)!;
  assert.equal(moved.slots, slots);
  assert.is(moved.connections.length, 2);
  assert.ok(moved.connections.every((connection) => connection.endpoint === relay.endpoint));
  assert.is(client.state().nodes.length, 3);
  assert.ok(states.some((names) => names.includes(relay.endpoint) && !names.includes(old)), 'state$ showed the new address');

  // Routing, MOVED and SMIGRATED agree with the new address.
  const key = keyIn(slots, 'after');
  assert.is(await client.set(key, 'v'), 'OK');
  assert.is(await sim.command(node, 'GET', key), 'v');
  const otherSlots = stateOf(sim.nodes[0]!.endpoint)!.slots;
  const keyA = keyIn(otherSlots, 'rk-moved');
  const keyB = keyIn(otherSlots, 'rk-smigrated');
  const slotA = keySlot(keyA);
  const slotB = keySlot(keyB);
  await client.set(keyA, 'a');
  await client.set(keyB, 'b');
  // No SMIGRATED: the old owner's MOVED names the node's new address.
  await sim.reshard({ slots: [slotA], to: node.index, dropClosing: true });
  const beforeMoved = events.length;
  assert.is(await client.get(keyA), 'a');
  assert.ok(events.slice(beforeMoved).some((e) => e.type === 'cluster.redirected' && e.kind === 'moved' && e.to === relay.endpoint));
  // SMIGRATED as the simulator sends it names the node's old address: it still leads to the moved node.
  const result = await sim.reshard({ slots: [slotB], to: node.index });
  await until(() => events.some((e) => e.type === 'cluster.slots.migrated' && e.seq === result.smigratedSeq), 2000, 'the SMIGRATED');
  assert.is(ownerOf(slotB), relay.endpoint);
  assert.is(await client.get(keyB), 'b');
  assert.not.ok(events.slice(from).some((e) => e.type === 'cluster.node.added'), 'no pool for the old or the new address');
  await until(() => events.slice(beforeMoved).some((e) => e.type === 'cluster.refreshed'), 3000, 'a verifying refresh');
  assert.is(client.state().nodes.length, 3);
  assert.is(ownerOf(slotA), relay.endpoint);
});

test('a MOVED that named the new address first opened a node there: the MOVING folds it into the moving node', async () => {
  // A cool-down longer than the test: no refresh comes between the MOVED and the MOVING.
  const own = createMaintCluster({ rootNodes: [sim.endpoints[0] as string], poolSize: 2, refreshInterval: 0, refreshCooldown: 60_000, maintNotifications: { relaxedTimeout: 3000 } });
  const seen: ClusterEvent[] = [];
  own.events$.subscribe((event) => seen.push(event));
  try {
    await own.connect();
    const node = sim.nodes[1]!;
    const old = node.endpoint;
    const relay = await openRelay(old);
    const owned = (key: string) => own.state().nodes.find((n) => n.node === key);
    const key = keyIn(owned(sim.nodes[0]!.endpoint)!.slots, 'rk-first');
    const slot = keySlot(key);
    await own.set(key, 'x');
    await announce(node, relay.endpoint);
    await sim.reshard({ slots: [slot], to: node.index, dropClosing: true });
    assert.is(await own.get(key), 'x');
    assert.ok(seen.some((e) => e.type === 'cluster.node.added' && e.node === relay.endpoint), 'the MOVED opened a node at the new address');
    sim.inject(movingFrameTo(++seq, 2, relay.endpoint), [node]);
    await until(() => seen.some((e) => e.type === 'cluster.node.moved' && e.to === relay.endpoint), 3000, 'the re-key');
    assert.ok(seen.some((e) => e.type === 'cluster.node.removed' && e.node === relay.endpoint), 'the node the MOVED opened is retired');
    const moved = owned(relay.endpoint)!;
    assert.ok(moved.slots.some(([first, last]) => slot >= first && slot <= last), 'its slot is the moved node’s');
    assert.is(owned(old), undefined);
    assert.is(own.state().nodes.length, 3);
    assert.is(await own.get(key), 'x');
    await until(() => seen.filter((e) => e.type === 'handoff.succeeded' && e.node === relay.endpoint).length >= 2, 5000, 'both connections handed off');
    assert.ok(owned(relay.endpoint)!.connections.every((connection) => connection.endpoint === relay.endpoint));
  } finally {
    await own.close();
  }
});

test.run();
