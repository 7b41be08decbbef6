import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, UsageError, type ClusterEvent, type MaintCluster, type PubSubMessage } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slot.js';
import { parseInfo } from '../../src/simulator/admin-client.js';
import { startCluster, type LocalCluster, type LocalClusterNode } from '../helpers/cluster.js';
import { until } from '../helpers/client.js';

/**
 * Sharded pub/sub on a plain local cluster (no maintenance notifications): per-slot SSUBSCRIBE on
 * each slot's owner, a key-by-key slot migration (the old owner's unsolicited sunsubscribe), a
 * graceful failover and a killed primary, unsubscribe and close.
 */
let cluster: LocalCluster;
let client: MaintCluster;
const events: ClusterEvent[] = [];

test.before(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
  client = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: cluster.primaries[0]!.port }], poolSize: 1, commandTimeout: 2000, refreshCooldown: 100, refreshInterval: 0 });
  client.events$.subscribe((event) => events.push(event));
  await client.connect();
});
test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

const address = (node: LocalClusterNode) => `127.0.0.1:${node.port}`;
/** The primary serving `slot` now, as the cluster (not the client) says. */
/** `master` or `slave`, as the node's ROLE says (null when it does not answer). */
async function roleOf(node: LocalClusterNode): Promise<string | null> {
  const role = (await cluster.command(node, 'ROLE').catch(() => null)) as unknown[] | null;
  return role === null ? null : String(role[0]);
}

async function serverOwner(slot: number): Promise<LocalClusterNode> {
  for (const node of cluster.nodes) {
    const rows = (await cluster.command(node, 'CLUSTER', 'SLOTS').catch(() => null)) as unknown[][] | null;
    if (rows === null) continue;
    for (const row of rows) {
      if (slot >= Number(row[0]) && slot <= Number(row[1])) {
        const port = Number((row[2] as unknown[])[1]);
        return cluster.nodes.find((candidate) => candidate.port === port) as LocalClusterNode;
      }
    }
  }
  throw new Error(`no owner of slot ${slot}`);
}
const shardChannels = async (node: LocalClusterNode) => ((await cluster.command(node, 'PUBSUB', 'SHARDCHANNELS')) as string[]).slice().sort();
const spublish = (channel: string, message: string) => client.call('SPUBLISH', channel, message);

test('ssubscribe across slots: every SPUBLISH once and in order; one SSUBSCRIBE per slot, on its owner', async () => {
  const channels = ['{a}1', '{a}2', '{a}3', '{b}1', '{b}2', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  const slots = new Set(channels.map((channel) => keySlot(channel)));
  assert.is(slots.size, 9, 'nine slots, two of them shared by several channels');
  for (const node of cluster.primaries) await cluster.command(node, 'CONFIG', 'RESETSTAT');
  const carried: number[] = [];
  const watching = client.state$.subscribe((state) => carried.push(state.nodes.reduce((sum, node) => sum + node.shardChannels.length, 0)));
  const received = new Map<string, string[]>();
  const unsubscribe = await client.ssubscribe(channels, (message) => received.set(message.channel, [...(received.get(message.channel) ?? []), message.message]));
  const streamed: PubSubMessage[] = [];
  const binary: PubSubMessage<Buffer>[] = [];
  const a = client.ssubscribe$(...channels).subscribe((message) => streamed.push(message));
  const b = client.ssubscribeBuffer$('c').subscribe((message) => binary.push(message));

  // Each primary saw one SSUBSCRIBE per slot it owns (the second and third listener added no channel).
  for (const node of cluster.primaries) {
    const mine = channels.filter((channel) => node.slots![0] <= keySlot(channel) && keySlot(channel) <= node.slots![1]);
    const calls = parseInfo(await cluster.command(node, 'INFO', 'commandstats')).get('cmdstat_ssubscribe');
    const count = calls === undefined ? 0 : Number(/calls=(\d+)/.exec(calls)?.[1]);
    assert.is(count, new Set(mine.map((channel) => keySlot(channel))).size, `SSUBSCRIBE calls on ${address(node)}`);
    assert.equal(await shardChannels(node), mine.slice().sort());
    assert.equal(client.state().nodes.find((state) => state.node === address(node))?.shardChannels, mine.slice().sort());
  }
  for (let i = 0; i < 20; i++) for (const channel of channels) assert.is(await spublish(channel, String(i)), 1, 'one subscriber socket per node receives it');
  const expected = Array.from({ length: 20 }, (_, i) => String(i));
  await until(() => streamed.length === 20 * channels.length && binary.length === 20, 5000, 'every message');
  for (const channel of channels) {
    assert.equal(received.get(channel), expected, channel);
    assert.equal(streamed.filter((message) => message.channel === channel).map((message) => message.message), expected);
  }
  assert.equal({ ...streamed[0], message: '' }, { kind: 'smessage', channel: '{a}1', message: '' });
  assert.ok(Buffer.isBuffer(binary[0]?.message) && binary[0]?.message.toString() === '0');
  a.unsubscribe();
  b.unsubscribe();
  await unsubscribe();
  await until(() => client.state().nodes.every((node) => node.shardChannels.length === 0), 3000, 'every channel unsubscribed');
  for (const node of cluster.primaries) assert.equal(await shardChannels(node), []);
  await until(() => carried[carried.length - 1] === 0, 2000, 'state$ to say nothing is carried');
  assert.ok(carried.includes(channels.length), 'state$ showed every channel carried');
  watching.unsubscribe();
});

test('refused before connect-ready and without a channel, typed', async () => {
  const idle = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: cluster.primaries[0]!.port }] });
  await idle.ssubscribe(['x'], () => {}).then(
    () => assert.unreachable('subscribed before connect'),
    (error: unknown) => assert.is((error as { code?: string }).code, 'ERR_NOT_CONNECTED'),
  );
  await idle.close();
  const refused = await new Promise<unknown>((resolve) => client.ssubscribe$().subscribe({ next: () => resolve('a message'), error: resolve, complete: () => resolve('completed') }));
  assert.instance(refused, UsageError);
  assert.is((refused as UsageError).code, 'ERR_INVALID_ARGUMENT');
});

/** SETSLOT IMPORTING/MIGRATING, MIGRATE key by key, SETSLOT NODE on every primary (the cluster spec's order). */
async function migrateSlot(slot: number, from: LocalClusterNode, to: LocalClusterNode): Promise<void> {
  await cluster.command(to, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', from.id);
  await cluster.command(from, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', to.id);
  for (;;) {
    const keys = (await cluster.command(from, 'CLUSTER', 'GETKEYSINSLOT', String(slot), '1')) as string[];
    if (keys.length === 0) break;
    await cluster.command(from, 'MIGRATE', to.host, String(to.port), '', '0', '5000', 'KEYS', ...keys);
  }
  await cluster.command(to, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
  await cluster.command(from, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
  for (const other of cluster.primaries) if (other !== to && other !== from) await cluster.command(other, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
}

/** Publishes `channel`:0, 1, 2, … through the cluster client until stopped; returns the numbers the server accepted. */
function publishing(channel: string, via: () => MaintCluster = () => client): { stop(): Promise<number[]>; delivered(): number[] } {
  const accepted: number[] = [];
  const delivered: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const receivers = await via().spublish(channel, String(i)).catch(() => null);
      if (receivers !== null) accepted.push(i);
      if (typeof receivers === 'number' && receivers > 0) delivered.push(i);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return accepted;
    },
    /** The messages a server handed to a subscriber (SPUBLISH said ≥ 1 receiver: ours is the only one). */
    delivered: () => delivered,
  };
}

/**
 * No duplicate, only published messages, and every message a primary handed to our subscriber socket
 * reached the listener, in order. (During a failover the demoted primary runs SPUBLISH as a replica, to
 * nobody: 0 receivers, lost before any client could see it; such a message has once arrived late.)
 */
function assertResumed(received: number[], accepted: number[], delivered: number[], what: string): void {
  assert.is(new Set(received).size, received.length, `${what}: no duplicate`);
  const set = new Set(accepted);
  assert.ok(received.every((n) => set.has(n)), `${what}: only published messages`);
  const handed = new Set(delivered);
  assert.equal(received.filter((n) => handed.has(n)), delivered, `${what}: every message a server delivered, in order`);
}

/**
 * Waits for the last message a server handed to our subscriber. Not the last one accepted: a
 * publish through a map that still names the demoted primary is run there as a replica, to nobody
 * (0 receivers; see assertResumed), and may be the last. A timeout prints what was seen.
 */
async function untilLastDelivered(received: number[], accepted: number[], delivered: number[], seen: ClusterEvent[]): Promise<void> {
  assert.ok(delivered.length > 0, 'some message was delivered');
  const last = delivered[delivered.length - 1];
  await until(() => received.includes(last!), 3000, () => `the last delivered message ${diagnose(received, accepted, delivered, seen)}`);
}

/** What a timed-out wait for the last message prints: the tails of each list and the cluster events meanwhile. */
function diagnose(received: number[], accepted: number[], delivered: number[], seen: ClusterEvent[]): string {
  const tail = (list: number[]) => list.slice(-8).join(',');
  const moves = seen.slice(-30).map((event) => JSON.stringify({ ...event, at: undefined }));
  return `(received …${tail(received)}; accepted …${tail(accepted)}; delivered …${tail(delivered)}; events ${moves.join(' ')})`;
}

/** Received numbers are strictly increasing (no duplicate, no reordering) and a subset of the accepted ones. */
function assertOnceInOrder(received: number[], accepted: number[], what: string): void {
  for (let i = 1; i < received.length; i++) assert.ok(received[i]! > received[i - 1]!, `${what}: ${received[i - 1]} then ${received[i]}`);
  const set = new Set(accepted);
  assert.ok(received.every((n) => set.has(n)), `${what}: only published messages`);
}

test('a manual slot migration (no notifications) moves the subscription via the old owner’s sunsubscribe; no duplicate, in order', async () => {
  const channel = '{mig}news';
  const slot = keySlot(channel);
  const source = await serverOwner(slot);
  const destination = cluster.primaries.find((node) => node !== source) as LocalClusterNode;
  for (let i = 0; i < 20; i++) await client.set(`{mig}key:${i}`, 'v');
  const received: number[] = [];
  const unsubscribe = await client.ssubscribe([channel], (message) => received.push(Number(message.message)));
  const from = events.length;
  const publisher = publishing(channel);
  await until(() => received.length >= 20, 3000, 'messages before the move');
  await migrateSlot(slot, source, destination);
  await until(() => events.slice(from).some((event) => event.type === 'cluster.shard.moved'), 5000, 'the subscription to move');
  const moved = events.slice(from).find((event) => event.type === 'cluster.shard.moved') as Extract<ClusterEvent, { type: 'cluster.shard.moved' }>;
  assert.is(moved.from, address(source));
  assert.is(moved.to, address(destination));
  assert.is(moved.slot, slot);
  // The source unsubscribed us at SETSLOT NODE before we could subscribe on the destination: said so.
  assert.ok(['sunsubscribe', 'MOVED'].includes(moved.reason) || moved.reason.startsWith('refresh'), moved.reason);
  assert.is(moved.exact, false);
  const count = received.length;
  await until(() => received.length >= count + 30, 5000, 'messages from the new owner');
  const accepted = await publisher.stop();
  await until(() => received[received.length - 1] === accepted[accepted.length - 1], 3000, 'the last message');
  assertOnceInOrder(received, accepted, 'migration');
  // What was lost went to the new owner before the subscription reached it: SPUBLISH said 0 receivers.
  assertResumed(received, accepted, publisher.delivered(), 'migration');
  assert.equal(await shardChannels(destination), [channel]);
  assert.equal(await shardChannels(source), []);
  console.log(`    plain migration: ${accepted.length} published, ${received.length} received, ${accepted.length - received.length} lost at the cut (${moved.durationMs} ms)`);
  await unsubscribe();
});

test('a failover of the owning shard: the subscription resumes on the promoted replica; then a killed primary', async () => {
  const channel = '{fo}news';
  const slot = keySlot(channel);
  const primary = await serverOwner(slot);
  const replica = cluster.replicas.find((node) => node.replicaOf === primary.id) as LocalClusterNode;
  const received: number[] = [];
  const unsubscribe = await client.ssubscribe([channel], (message) => received.push(Number(message.message)));
  let killed = false;
  let publisher = publishing(channel);
  try {
    let from = events.length;
    await until(() => received.length >= 20, 3000, 'messages before the failover');
    await cluster.command(replica, 'CLUSTER', 'FAILOVER');
    await until(() => events.slice(from).some((event) => event.type === 'cluster.shard.moved' && event.to === address(replica)), 10_000, 'the subscription on the promoted replica');
    let count = received.length;
    await until(() => received.length >= count + 30, 5000, 'messages after the failover');
    let accepted = await publisher.stop();
    await untilLastDelivered(received, accepted, publisher.delivered(), events.slice(from));
    assertResumed(received, accepted, publisher.delivered(), 'failover');
    assert.equal(await shardChannels(replica), [channel]);
    console.log(`    graceful failover: ${accepted.length} published, ${received.length} received`);

    // Now the promoted node dies: the old primary (its replica now) takes over, found by refresh.
    received.length = 0;
    from = events.length;
    publisher = publishing(channel);
    await until(() => received.length >= 20, 3000, 'messages before the kill');
    await replica.process.kill();
    killed = true;
    await until(() => events.slice(from).some((event) => event.type === 'cluster.shard.moved' && event.to === address(primary)), 20_000, 'the subscription on the new primary');
    count = received.length;
    await until(() => received.length >= count + 30, 10_000, 'messages after the kill');
    accepted = await publisher.stop();
    await untilLastDelivered(received, accepted, publisher.delivered(), events.slice(from));
    assertResumed(received, accepted, publisher.delivered(), 'kill');
    const moved = events.slice(from).find((event) => event.type === 'cluster.shard.moved') as Extract<ClusterEvent, { type: 'cluster.shard.moved' }>;
    assert.is(moved.exact, false, 'a lost node cannot be cut over exactly');
    console.log(`    killed primary: ${accepted.length} published, ${received.length} received, moved after ${moved.durationMs} ms`);
  } finally {
    await publisher.stop();
    await unsubscribe();
    // A failure between the failover and the kill leaves the original primary a replica: give it its
    // slots back, so that the tests after this one find the cluster as they expect.
    if (!killed && (await roleOf(primary)) !== 'master') {
      await cluster.command(primary, 'CLUSTER', 'FAILOVER', 'TAKEOVER').catch(() => undefined);
      for (let i = 0; i < 200 && (await roleOf(primary)) !== 'master'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
});

test('a stale map: the SSUBSCRIBE answered MOVED is followed (the map patched), the channel served by its real owner', async () => {
  const channel = '{stale}news';
  const slot = keySlot(channel);
  const source = await serverOwner(slot);
  const destination = cluster.primaries.find((node) => node !== source) as LocalClusterNode;
  await migrateSlot(slot, source, destination); // behind the client's back: nothing of it was subscribed
  const received: string[] = [];
  const off = await client.ssubscribe([channel], (message) => received.push(message.message));
  assert.equal(await shardChannels(destination), [channel]);
  assert.is(await spublish(channel, 'here'), 1);
  await until(() => received.includes('here'), 3000, 'the message');
  await off();
});

test('a shard channel the ACL forbids: that ssubscribe rejects with the server’s NOPERM, typed; nothing stays subscribed', async () => {
  // Every live node (one was killed above).
  for (const node of cluster.nodes) await cluster.command(node, 'ACL', 'SETUSER', 'limited', 'on', '>pw', '~*', 'resetchannels', '&ok:*', '+@all').catch(() => null);
  const limited = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: cluster.primaries[0]!.port }], username: 'limited', password: 'pw', poolSize: 1, refreshInterval: 0, maintNotifications: { logLevel: 'error' } });
  try {
    await limited.connect();
    const got: string[] = [];
    await limited.ssubscribe(['ok:one'], (message) => got.push(message.message));
    const refused = await limited.ssubscribe(['forbidden', 'ok:two'], () => {}).then(
      () => 'resolved',
      (error: Error & { code?: string }) => `${error.code}: ${error.message}`,
    );
    assert.match(refused, /^ERR_REDIS_REPLY: NOPERM/);
    await until(() => limited.state().nodes.every((node) => !node.shardChannels.includes('ok:two')), 3000, 'ok:two taken back');
    assert.is(await limited.call('SPUBLISH', 'ok:one', 'still'), 1);
    await until(() => got.includes('still'), 2000, 'the other subscription kept');
  } finally {
    await limited.close();
  }
});

test('close while an ssubscribe is on its way: it rejects ERR_CLIENT_CLOSED, and a later one is refused', async () => {
  const quick = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: cluster.primaries[0]!.port }], poolSize: 1, refreshInterval: 0 });
  await quick.connect();
  const pending = quick.ssubscribe(['q1', 'q2', 'q3'], () => {}).then(
    () => 'resolved',
    (error: { code?: string }) => error.code,
  );
  await quick.close();
  assert.is(await pending, 'ERR_CLIENT_CLOSED');
  const later = await quick.ssubscribe(['q1'], () => {}).then(
    () => 'resolved',
    (error: { code?: string }) => error.code,
  );
  assert.is(later, 'ERR_CLIENT_CLOSED');
});

test('unsubscribe and close leave no sharded socket', async () => {
  /** Subscriber sockets the live nodes see: clients with shard subscriptions, and all of them (CLIENT LIST). */
  const seen = async () => {
    let sharded = 0;
    for (const node of cluster.nodes) {
      const list = (await cluster.command(node, 'CLIENT', 'LIST').catch(() => '')) as string;
      sharded += list.split('\n').filter((line) => /ssub=[1-9]/.test(line)).length;
    }
    return sharded;
  };
  const off = await client.ssubscribe(['x1', 'x2', 'x3'], () => {});
  const owners = new Set(['x1', 'x2', 'x3'].map((channel) => client.state().nodes.find((node) => node.shardChannels.includes(channel))?.node));
  // The tests above released their subscriptions; a socket they emptied may still be closing.
  for (const deadline = Date.now() + 3000; (await seen()) !== owners.size && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.is(await seen(), owners.size, 'one subscriber socket per owning node');
  await off();
  await until(() => client.state().nodes.every((node) => node.shardChannels.length === 0), 3000, 'nothing carried');
  assert.is(await seen(), 0);
  for (const node of cluster.nodes) {
    const numsub = (await cluster.command(node, 'PUBSUB', 'SHARDNUMSUB', 'x1', 'x2', 'x3').catch(() => null)) as Array<string | number> | null;
    if (numsub !== null) assert.equal(numsub.filter((_, i) => i % 2 === 1), [0, 0, 0]); // null: the killed node
  }
  let completed = false;
  client.ssubscribe$('y1', 'y2').subscribe({ complete: () => (completed = true) });
  // state$ lists a channel as soon as it is asked for; the server's CLIENT LIST says when it was confirmed.
  await until(() => client.state().nodes.some((node) => node.shardChannels.includes('y1')), 3000, 'subscribed');
  for (const deadline = Date.now() + 3000; (await seen()) === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok((await seen()) > 0, 'a subscriber socket on the owner');
  await client.close();
  assert.ok(completed, 'close completes the stream');
  const deadline = Date.now() + 3000;
  while ((await seen()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.is(await seen(), 0, 'no subscriber socket left on any node');
});

// Last: it fails a shard over for good (the tests above name primaries as they started).
test('with replica reads (every connection READONLY): a failover moves the subscription without doubling — the demoted primary is never subscribed again', async () => {
  // A shard whose primary and replica both still run (the test above killed one node).
  let channel = '';
  let primary: LocalClusterNode | undefined;
  let replica: LocalClusterNode | undefined;
  for (let i = 0; primary === undefined; i++) {
    const candidate = `{rf${i}}news`;
    const owner = await serverOwner(keySlot(candidate));
    const standby = cluster.nodes.find((node) => node.replicaOf === owner.id && node.process.pid !== undefined);
    const alive = standby !== undefined && (await cluster.command(standby, 'PING').catch(() => null)) === 'PONG';
    if (alive && owner.replicaOf === null) [channel, primary, replica] = [candidate, owner, standby];
  }
  const reader = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: primary.port }], poolSize: 1, commandTimeout: 2000, readFrom: 'prefer-replica', refreshCooldown: 100, refreshInterval: 0 });
  const seen: ClusterEvent[] = [];
  reader.events$.subscribe((event) => seen.push(event));
  let publisher: ReturnType<typeof publishing> | undefined;
  try {
    await reader.connect();
    const received: number[] = [];
    await reader.ssubscribe([channel], (message) => received.push(Number(message.message)));
    publisher = publishing(channel, () => reader);
    await until(() => received.length >= 20, 3000, 'messages before the failover');
    await cluster.command(replica!, 'CLUSTER', 'FAILOVER');
    await until(() => seen.some((event) => event.type === 'cluster.shard.moved' && event.to === address(replica!)), 10_000, 'the subscription on the promoted replica');
    const count = received.length;
    await until(() => received.length >= count + 30, 5000, 'messages after the failover');
    const accepted = await publisher.stop();
    await untilLastDelivered(received, accepted, publisher.delivered(), seen);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assertResumed(received, accepted, publisher.delivered(), 'failover with replica reads');
    assert.equal(await shardChannels(primary), [], 'the demoted primary carries no subscription');
  } finally {
    await publisher?.stop();
    await reader.close();
  }
});

test.run();
