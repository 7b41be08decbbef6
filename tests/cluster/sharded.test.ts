import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, UsageError, type ClusterEvent, type MaintCluster, type PubSubMessage } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slot.js';
import { parseInfo } from '../../src/simulator/admin-client.js';
import { startCluster, type LocalCluster, type LocalClusterNode } from '../helpers/cluster.js';
import { openHandles, until } from '../helpers/client.js';

/**
 * Sharded pub/sub on a plain local cluster (no maintenance notifications): per-slot SSUBSCRIBE on
 * each slot's owner, a key-by-key slot migration (the old owner's unsolicited sunsubscribe), a
 * graceful failover and a killed primary, unsubscribe and close.
 */
let cluster: LocalCluster;
let client: MaintCluster;
const events: ClusterEvent[] = [];
const handlesBefore = openHandles();

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

test.run();
