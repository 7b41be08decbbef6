import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, type ClusterEvent, type MaintCluster } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slot.js';
import { createClusterSimulator, type ClusterSimulatorNode, type MaintClusterSimulator } from '../../src/simulator/cluster/cluster-simulator.js';
import { until } from '../helpers/client.js';

/**
 * Sharded pub/sub while the simulator reshards the slot of the subscribed channels, a publisher
 * (another cluster client) SPUBLISHing numbered messages all along. SMIGRATING lets the subscriber
 * find the importing node and subscribe there (ASKING) before the slot moves, so the cut loses
 * nothing: every message exactly once, in order — with SMIGRATED, and with it dropped (the old
 * owner's sunsubscribe then says the slot left).
 */
let sim: MaintClusterSimulator;
let subscriber: MaintCluster;
let publisher: MaintCluster;
const events: ClusterEvent[] = [];
/** The subscriber's debug lines (a failed subscribe-ahead says why there), printed when a drill fails. */
const debugLines: string[] = [];

test.before(async () => {
  sim = await createClusterSimulator({ primaries: 3 });
  const options = { rootNodes: [sim.endpoints[0] as string], poolSize: 1, commandTimeout: 2000, refreshInterval: 0, refreshCooldown: 100 };
  const keep = (message: string) => void debugLines.push(message);
  subscriber = createMaintCluster({ ...options, maintNotifications: { logLevel: 'debug' }, logger: { error: keep, warn: keep, info: () => {}, debug: keep } });
  publisher = createMaintCluster(options);
  subscriber.events$.subscribe((event) => events.push(event));
  await subscriber.connect();
  await publisher.connect();
});
test.after(async () => {
  await subscriber?.close();
  await publisher?.close();
  await sim?.close();
});

/** Publishes 0, 1, 2, … on each channel, one after another, until stopped; returns what the server accepted per channel. */
function publishing(channels: readonly string[]): { stop(): Promise<Map<string, number[]>> } {
  const accepted = new Map(channels.map((channel) => [channel, [] as number[]]));
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      for (const channel of channels) {
        const receivers = await publisher.call('SPUBLISH', channel, String(i)).catch(() => null);
        if (receivers !== null) accepted.get(channel)!.push(i);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return accepted;
    },
  };
}

async function reshardDrill(tag: string, dropClosing: boolean): Promise<void> {
  const channels = [`{${tag}}a`, `{${tag}}b`, `{${tag}}c`];
  const slot = keySlot(channels[0]!);
  const owners = await sim.owners();
  const source = owners[slot] as ClusterSimulatorNode;
  const destination = sim.nodes.find((node) => node !== source && node.index < 3) as ClusterSimulatorNode;
  // Keys in the slot make its migration take a while (MIGRATE in batches of 5), as a real one does.
  await publisher.call('MSET', ...Array.from({ length: 500 }, (_, i) => [`{${tag}}key:${i}`, 'v']).flat());
  // A bystander: another slot on the same node (the same subscriber socket), which stays.
  let bystander = '';
  for (let i = 0; bystander === ''; i++) if (owners[keySlot(`stay${i}`)] === source && keySlot(`stay${i}`) !== slot) bystander = `stay${i}`;
  const received = new Map([...channels, bystander].map((channel) => [channel, [] as number[]]));
  const unsubscribe = await subscriber.ssubscribe([...channels, bystander], (message) => received.get(message.channel)!.push(Number(message.message)));
  const from = events.length;
  const run = publishing([...channels, bystander]);
  await until(() => received.get(channels[2]!)!.length >= 20, 3000, 'messages before the reshard');
  const result = await sim.reshard({ slots: [slot], to: destination.endpoint, batch: 5, dropClosing });
  assert.is(result.keys, 500);
  await until(() => events.slice(from).some((event) => event.type === 'cluster.shard.moved'), 5000, 'the subscription to move');
  const counts = channels.map((channel) => received.get(channel)!.length);
  await until(() => channels.every((channel, i) => received.get(channel)!.length >= counts[i]! + 20), 5000, 'messages from the new owner');
  const accepted = await run.stop();
  await until(() => [...channels, bystander].every((channel) => received.get(channel)!.length === accepted.get(channel)!.length), 3000, 'every accepted message');
  for (const channel of [...channels, bystander]) assert.equal(received.get(channel), accepted.get(channel), `${channel}: every message exactly once, in order`);
  const moved = events.slice(from).filter((event) => event.type === 'cluster.shard.moved') as Array<Extract<ClusterEvent, { type: 'cluster.shard.moved' }>>;
  assert.is(moved.length, 1, 'one move');
  assert.equal({ ...moved[0], at: 0, durationMs: 0, reason: '' }, { at: 0, type: 'cluster.shard.moved', slot, channels: 3, from: source.endpoint, to: destination.endpoint, reason: '', exact: true, durationMs: 0 });
  const onDestination = (await sim.command(destination, 'PUBSUB', 'SHARDCHANNELS')) as string[];
  assert.equal(onDestination.slice().sort(), channels);
  assert.equal(await sim.command(source, 'PUBSUB', 'SHARDCHANNELS'), [bystander]);
  const total = [...accepted.values()].reduce((sum, list) => sum + list.length, 0);
  console.log(`    ${dropClosing ? 'SMIGRATED dropped' : 'with SMIGRATED'}: ${total} messages published and received exactly once (move reason ${moved[0]!.reason}, cut ${moved[0]!.durationMs.toFixed(1)} ms)`);
  await unsubscribe();
}

test('reshard with SMIGRATED: every message exactly once, in order; subscribed on the importing node before the move', async () => {
  await reshardDrill('rs1', false);
});

test('reshard with the closing SMIGRATED dropped: the old owner’s sunsubscribe ends it, still exactly once', async () => {
  await reshardDrill('rs2', true);
});

test('a reshard of four subscribed slots at once (two at a time): every message exactly once, in order, each slot moved ahead', async () => {
  const owners = await sim.owners();
  const source = owners[keySlot('{m0}')] as ClusterSimulatorNode;
  const destination = sim.nodes.find((node) => node !== source && node.index < 3) as ClusterSimulatorNode;
  const tags: string[] = [];
  for (let i = 0; tags.length < 4; i++) if (owners[keySlot(`{m${i}}`)] === source) tags.push(`m${i}`);
  const channels = tags.map((tag) => `{${tag}}news`);
  // Each slot's migration takes ~300 MIGRATE round trips: long enough to be subscribed ahead even on a loaded machine
  // (with 100, a CI run once saw one of the four slots move before its importing node had confirmed).
  for (const tag of tags) await publisher.call('MSET', ...Array.from({ length: 1500 }, (_, i) => [`{${tag}}key:${i}`, 'v']).flat());
  const received = new Map(channels.map((channel) => [channel, [] as number[]]));
  const unsubscribe = await subscriber.ssubscribe(channels, (message) => received.get(message.channel)!.push(Number(message.message)));
  const from = events.length;
  const run = publishing(channels);
  await until(() => received.get(channels[3]!)!.length >= 10, 3000, 'messages before the reshard');
  await sim.reshard({ slots: tags.map((tag) => keySlot(`{${tag}}`)), to: destination.endpoint, batch: 5, parallel: 2 });
  await until(() => events.slice(from).filter((event) => event.type === 'cluster.shard.moved').length === 4, 5000, 'four moves');
  const counts = channels.map((channel) => received.get(channel)!.length);
  await until(() => channels.every((channel, i) => received.get(channel)!.length >= counts[i]! + 10), 5000, 'messages from the new owner');
  const accepted = await run.stop();
  const moved = events.slice(from).filter((event) => event.type === 'cluster.shard.moved') as Array<Extract<ClusterEvent, { type: 'cluster.shard.moved' }>>;
  await until(() => channels.every((channel) => received.get(channel)!.length === accepted.get(channel)!.length), 3000, () => `every accepted message (moves: ${JSON.stringify(moved.map(({ slot, exact, reason, gap }) => ({ slot, exact, reason, gap })))}; subscriber log: ${debugLines.slice(-20).join(' | ')})`);
  for (const channel of channels) assert.equal(received.get(channel), accepted.get(channel), `${channel}: every message exactly once, in order`);
  assert.ok(moved.every((event) => event.exact && event.to === destination.endpoint), JSON.stringify(moved));
  assert.equal(((await sim.command(destination, 'PUBSUB', 'SHARDCHANNELS')) as string[]).slice().sort(), channels.slice().sort());
  await unsubscribe();
});

test.run();
