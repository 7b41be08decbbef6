import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintCluster, UsageError, type ClusterEvent, type MaintCluster, type PubSubMessage } from '../../src/index.js';
import { startCluster, type LocalCluster, type LocalClusterNode } from '../helpers/cluster.js';
import { until } from '../helpers/client.js';

test('cluster subscribe$/psubscribe$: one subscriber socket on a primary gets what is published through any node; it moves to another primary when its node dies', async () => {
  let cluster: LocalCluster | undefined;
  let client: MaintCluster | undefined;
  let publisher: MaintCluster | undefined;
  try {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
    const root = { host: '127.0.0.1', port: cluster.primaries[0]!.port };
    client = createMaintCluster({ rootNodes: [root], poolSize: 1, commandTimeout: 1500, refreshCooldown: 200, refreshInterval: 0 });
    publisher = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: cluster.primaries[2]!.port }], poolSize: 1, commandTimeout: 1500 });
    const events: ClusterEvent[] = [];
    client.events$.subscribe((event) => events.push(event));
    await client.subscribe(['x'], () => {}).then(
      () => assert.unreachable('subscribed before connect'),
      (error: unknown) => assert.is((error as { code?: string }).code, 'ERR_NOT_CONNECTED'),
    );
    await client.connect();
    await publisher.connect();
    const channel: PubSubMessage[] = [];
    const pattern: PubSubMessage[] = [];
    const a = client.subscribe$('news').subscribe((message) => channel.push(message));
    const b = client.psubscribe$('ne*').subscribe((message) => pattern.push(message));
    const received: string[] = [];
    const unsubscribe = await client.subscribe(['news'], (message) => received.push(message.message));
    // Every node relays a PUBLISH to the whole cluster; the publisher's keyless PUBLISH goes to any of its primaries.
    for (let i = 0; i < 100; i++) await publisher.publish('news', String(i));
    await until(() => channel.length === 100 && pattern.length === 100 && received.length === 100, 5000, 'every message');
    // Each once; in publish order only per publishing node (the bus relays other nodes' publishes later).
    const numbers = (messages: PubSubMessage[]) => messages.map((m) => Number(m.message)).sort((x, y) => x - y);
    assert.equal(numbers(channel), Array.from({ length: 100 }, (_, i) => i));
    assert.equal(numbers(pattern), Array.from({ length: 100 }, (_, i) => i));
    assert.equal(received.map(Number).sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
    assert.equal({ ...pattern[0], message: '' }, { kind: 'pmessage', channel: 'news', pattern: 'ne*', message: '' });
    await unsubscribe();

    // The subscriber's node dies: after the refresh the session subscribes again on a live primary.
    const home = events.find((event) => event.type === 'pubsub.connected') as Extract<ClusterEvent, { type: 'pubsub.connected' }>;
    const victim = cluster.primaries.find((node) => `127.0.0.1:${node.port}` === home.endpoint) as LocalClusterNode;
    assert.ok(victim !== undefined, `the subscriber lives on a primary (${home.endpoint})`);
    await victim.process.kill();
    await until(() => events.some((event) => event.type === 'pubsub.resubscribed'), 20_000, 'resubscribed elsewhere');
    const moved = events.find((event) => event.type === 'pubsub.resubscribed') as Extract<ClusterEvent, { type: 'pubsub.resubscribed' }>;
    assert.is.not(moved.endpoint, home.endpoint);
    const before = channel.length;
    for (let i = 0; channel.length === before; i++) {
      if (i > 300) throw new Error('no message after the move');
      await publisher.publish('news', 'after').catch(() => 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.is(channel[channel.length - 1]?.message, 'after');
    a.unsubscribe();
    b.unsubscribe();
    const refused = await new Promise<unknown>((resolve) => client!.subscribe$().subscribe({ next: () => resolve('a message'), error: resolve, complete: () => resolve('completed') }));
    assert.instance(refused, UsageError, 'no channel named');
  } finally {
    await client?.close();
    await publisher?.close();
    await cluster?.stop();
  }
});

test.run();
