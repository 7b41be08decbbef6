/**
 * Sharded subscribers across a node's address move (bind: MOVING, the node re-keyed at its new
 * address): the node keeps one subscriber socket, a later channel of the same slot joins it (no
 * self-move, no second socket), and no message is delivered twice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, type ClusterEvent, type MaintCluster } from '../../src/index.js';
import { createClusterSimulator, type MaintClusterSimulator } from '../../src/simulator/cluster/cluster-simulator.js';
import { keySlot } from '../../src/cluster/slot.js';
import { until } from '../helpers/client.js';

let sim: MaintClusterSimulator;
let client: MaintCluster;
const events: ClusterEvent[] = [];

test.before(async () => {
  sim = await createClusterSimulator({ primaries: 3 });
  client = createMaintCluster({ rootNodes: [sim.endpoints[0] as string], poolSize: 1, refreshInterval: 0, refreshCooldown: 100 });
  client.events$.subscribe((event) => events.push(event));
  await client.connect();
});
test.after(async () => {
  await client?.close();
  await sim?.close();
});

/** Subscriber sockets (ssub > 0) on a node's redis-server. */
async function shardSockets(index: number): Promise<number> {
  const list = String(await sim.command(sim.nodes[index]!, 'CLIENT', 'LIST'));
  return list.split('\n').filter((line) => /\bssub=[1-9]/.test(line)).length;
}

test('a node re-keyed by a MOVING keeps its one sharded socket; a new channel of the same slot joins it; nothing doubled', async () => {
  const node = sim.nodes[2]!;
  const old = node.endpoint;
  const slots = client.state().nodes.find((n) => n.node === old)!.slots;
  const owned = (key: string) => slots.some(([first, last]) => keySlot(key) >= first && keySlot(key) <= last);
  const tag = Array.from({ length: 5000 }, (_, i) => `t${i}`).find((t) => owned(`{${t}}`))!;
  const [first, second] = [`{${tag}}a`, `{${tag}}b`];
  const received: string[] = [];
  await client.ssubscribe([first], (message) => received.push(String(message.message)));
  const bound = await sim.bind({ node: 2, timeS: 1 });
  await until(() => events.some((event) => event.type === 'cluster.node.moved' && event.to === bound.to), 5000, 'the node re-keyed');
  await until(() => client.state().nodes.some((n) => n.node === bound.to && n.shardChannels.includes(first)), 5000, 'the channel shown at the new address');
  let running = true;
  let published = 0;
  const publisher = (async () => {
    while (running) {
      await client.spublish(first, String(published++));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const movesBefore = events.filter((event) => event.type === 'cluster.shard.moved').length;
  await client.ssubscribe([second], () => undefined);
  await new Promise((resolve) => setTimeout(resolve, 300));
  running = false;
  await publisher;
  await until(() => received.length >= published, 2000, 'every message');
  assert.is(received.length, published, 'each message once');
  assert.equal(received, Array.from({ length: published }, (_, i) => String(i)), 'in order');
  const selfMoves = events.filter((event) => event.type === 'cluster.shard.moved' && event.from === event.to);
  assert.equal(selfMoves, [], 'no move from a node to itself');
  assert.is(events.filter((event) => event.type === 'cluster.shard.moved').length, movesBefore, 'the second channel joined the socket there');
  assert.is(await shardSockets(2), 1, 'one subscriber socket on the node');
  const shown = client.state().nodes.find((n) => n.node === bound.to)!;
  assert.equal([...shown.shardChannels].sort(), [first, second]);
});

test.run();
