import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, createMaintCluster, TransactionError, UsageError, type ClusterEvent, type ClusterState } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slot.js';
import { freePort } from '../../src/simulator/redis-process.js';
import { startCluster, type LocalCluster, type LocalClusterNode } from '../helpers/cluster.js';
import { openHandles } from '../helpers/client.js';
import { startRedis } from '../helpers/redis.js';

let cluster: LocalCluster;
test.before(async () => {
  cluster = await startCluster({ primaries: 3 });
});
test.after(async () => {
  await cluster?.stop();
});

const rejection = (promise: Promise<unknown>): Promise<Error> => promise.then(() => { throw new Error('expected a rejection'); }, (error: unknown) => error as Error);
const root = () => ({ host: '127.0.0.1', port: cluster.primaries[0]!.port });
const ownerOf = (slot: number) => cluster.primaries.find((node) => slot >= node.slots![0] && slot <= node.slots![1]) as LocalClusterNode;

/** Moves an empty slot to `to` at once (no keys, no ASK window). */
async function moveEmptySlot(slot: number, to: LocalClusterNode): Promise<void> {
  for (const node of [to, ...cluster.primaries.filter((n) => n !== to)]) await cluster.command(node, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
}

test('before connect and after close commands are refused typed; close is idempotent and completes the streams', async () => {
  const client = createMaintCluster({ rootNodes: [root()], poolSize: 1 });
  try {
    assert.is(((await rejection(client.get('a'))) as ConnectionError).code, 'ERR_NOT_CONNECTED');
    assert.is(((await rejection(client.multi([['PING']]))) as ConnectionError).code, 'ERR_NOT_CONNECTED');
    await rejection((async () => {
      for await (const key of client.scanIterator()) void key;
    })());
    const states: ClusterState[] = [];
    let completed = 0;
    client.state$.subscribe({ next: (state) => states.push(state), complete: () => completed++ });
    client.events$.subscribe({ complete: () => completed++ });
    client.notifications$.subscribe({ complete: () => completed++ });
    await client.connect();
    await client.connect();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(states.some((state) => state.status === 'ready' && state.nodes.length === 3));
    const inflight = client.incr('{life}:n');
    await client.close();
    assert.is(await inflight, 1, 'in-flight replies are drained');
    await client.close();
    assert.is(completed, 3);
    assert.is(states.at(-1)?.status, 'closed');
    assert.is(((await rejection(client.get('a'))) as ConnectionError).code, 'ERR_CLIENT_CLOSED');
    assert.is(((await rejection(client.multi([['PING']]))) as ConnectionError).code, 'ERR_CLIENT_CLOSED');
    assert.is(((await rejection(client.connect())) as ConnectionError).code, 'ERR_CLIENT_CLOSED');
  } finally {
    await client.close();
  }
});

test('no root node answers: connect rejects typed and the client closes, leaving no socket', async () => {
  const before = openHandles().sockets;
  const client = createMaintCluster({ rootNodes: [{ host: '127.0.0.1', port: await freePort() }], poolSize: 1, connectTimeout: 300, commandTimeout: 300 });
  try {
    const error = await rejection(client.connect());
    assert.instance(error, ConnectionError);
    assert.is(client.state().status, 'closed');
    assert.ok(openHandles().sockets <= before, 'no socket left open');
  } finally {
    await client.close();
  }
});

test('a root node that knows no slot (a lone cluster-enabled server) does not make a map: connect fails typed', async () => {
  const lone = await startRedis({ args: ['--cluster-enabled', 'yes'] });
  const client = createMaintCluster({ rootNodes: [{ host: lone.host, port: lone.port }], poolSize: 1 });
  try {
    const error = await rejection(client.connect());
    assert.is((error as ConnectionError).code, 'ERR_CLUSTER_TOPOLOGY');
    assert.match(error.message, /knows no slot owner/);
  } finally {
    await client.close();
    await lone.stop();
  }
});

test('bad arguments and hooks are UsageErrors, never sent', async () => {
  const client = createMaintCluster({ rootNodes: [root()], poolSize: 1 });
  try {
    await client.connect();
    assert.is(((await rejection(client.call(''))) as UsageError).code, 'ERR_INVALID_ARGUMENT');
    assert.is(((await rejection(client.multi([]))) as UsageError).code, 'ERR_INVALID_ARGUMENT');
    assert.is(((await rejection(client.multi([[''] as never]))) as UsageError).code, 'ERR_INVALID_ARGUMENT');
    assert.is(((await rejection(client.multi([['SET', 'a', {} as never]]))) as UsageError).code, 'ERR_INVALID_ARGUMENT');
    assert.is(((await rejection(client.multi([['SUBSCRIBE', 'c']]))) as UsageError).code, 'ERR_UNSUPPORTED_COMMAND');
    assert.throws(() => client.addNotificationHook(null as never), (error: Error) => error instanceof UsageError);
    const remove = client.addNotificationHook({ preHook: () => undefined });
    remove();
    remove();
  } finally {
    await client.close();
  }
});

test('MOVED for a MULTI and for a blocking command: both follow the slot to its new owner; a queue-time error aborts typed', async () => {
  const client = createMaintCluster({ rootNodes: [root()], poolSize: 1, refreshInterval: 0 });
  const events: ClusterEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  try {
    await client.connect();
    const slot = keySlot('{mv}');
    const to = cluster.primaries.find((node) => node !== ownerOf(slot))!;
    await moveEmptySlot(slot, to);
    assert.equal(await client.multi([['INCR', '{mv}:a'], ['INCR', '{mv}:a']]), [1, 2]);
    assert.ok(events.some((event) => event.type === 'cluster.redirected' && event.kind === 'moved' && event.command === 'MULTI' && event.to === `127.0.0.1:${to.port}`));
    const slot2 = keySlot('{bl}');
    const to2 = cluster.primaries.find((node) => node !== ownerOf(slot2))!;
    await moveEmptySlot(slot2, to2);
    const waiting = client.call('BLPOP', '{bl}:q', '2');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await cluster.command(to2, 'RPUSH', '{bl}:q', 'job');
    assert.equal(await waiting, ['{bl}:q', 'job']);
    assert.ok(events.some((event) => event.type === 'cluster.redirected' && event.kind === 'moved' && event.command === 'BLPOP'));
    const aborted = await rejection(client.multi([['SET', '{mv}:b', '1'], ['NOSUCHCOMMAND']]));
    assert.instance(aborted, TransactionError);
  } finally {
    await client.close();
  }
});

test('watch on the keys’ owner: a guarded transaction, CROSSSLOT refused, a MOVED on WATCH followed', async () => {
  const client = createMaintCluster({ rootNodes: [root()], poolSize: 1, refreshInterval: 0 });
  try {
    assert.is(((await rejection(client.watch(['{w}:a'], async () => 1))) as ConnectionError).code, 'ERR_NOT_CONNECTED');
    await client.connect();
    await client.set('{w}:a', '1');
    const replies = await client.watch(['{w}:a', '{w}:b'], async (tx) => {
      const value = Number(await tx.get('{w}:a'));
      return tx.multi([['SET', '{w}:a', String(value + 1)]]);
    });
    assert.equal(replies, ['OK']);
    assert.is(await client.get('{w}:a'), '2');
    assert.is(((await rejection(client.watch(['{w}:a', '{x}:b'], async () => 1))) as UsageError).code, 'ERR_CROSSSLOT');
    assert.is(((await rejection(client.watch([] as never, async () => 1))) as UsageError).code, 'ERR_INVALID_ARGUMENT');
    const slot = keySlot('{w2}');
    await moveEmptySlot(slot, cluster.primaries.find((node) => node !== ownerOf(slot))!);
    assert.equal(await client.watch(['{w2}:a'], (tx) => tx.multi([['INCR', '{w2}:a']])), [1]);
  } finally {
    await client.close();
  }
});

test('no node serves a slot (cluster down): the command is retried within its deadline, then fails', async () => {
  const client = createMaintCluster({ rootNodes: [root()], poolSize: 1, refreshInterval: 0, commandTimeout: 300 });
  try {
    await client.connect();
    const slot = keySlot('{down}');
    const owner = ownerOf(slot);
    await cluster.command(owner, 'CLUSTER', 'DELSLOTS', String(slot));
    const began = Date.now();
    const error = await rejection(client.get('{down}:k'));
    assert.match(error.message, /CLUSTERDOWN/);
    assert.ok(Date.now() - began >= 150, 'retried for most of the deadline');
    // A retry waiting for its backoff when the client closes fails typed, at once. (Closed on the
    // retry's event, while its backoff timer runs: a close while it is in flight would get its reply.)
    const retrying = new Promise<void>((resolve) => {
      const subscription = client.events$.subscribe((event) => {
        if (event.type !== 'cluster.redirected' || event.kind !== 'retry') return;
        subscription.unsubscribe();
        resolve();
      });
    });
    const pending = rejection(client.get('{down}:k'));
    await retrying;
    try {
      await client.close();
      assert.is(((await pending) as ConnectionError).code, 'ERR_CLIENT_CLOSED');
    } finally {
      await cluster.command(owner, 'CLUSTER', 'ADDSLOTS', String(slot));
    }
  } finally {
    await client.close();
  }
});

test('periodic refreshes ask a reachable primary and change nothing when nothing moved', async () => {
  const client = createMaintCluster({ rootNodes: [root()], poolSize: 1, refreshInterval: 50, refreshCooldown: 0 });
  const events: ClusterEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  try {
    await client.connect();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const refreshed = events.filter((event) => event.type === 'cluster.refreshed');
    assert.ok(refreshed.length >= 4, `${refreshed.length} refreshes`);
    assert.ok(refreshed.slice(1).every((event) => event.type === 'cluster.refreshed' && event.reason === 'periodic' && event.changedSlots === 0));
    assert.is(events.filter((event) => event.type === 'cluster.node.added').length, 3);
    assert.is(events.filter((event) => event.type === 'cluster.node.removed').length, 0);
  } finally {
    await client.close();
  }
});

test('maintenance notifications disabled, or a fixed endpoint type: nodes connect and serve all the same', async () => {
  for (const maintNotifications of [{ mode: 'disabled' as const }, { endpointType: 'internal-ip' as const }]) {
    const client = createMaintCluster({ rootNodes: [root()], poolSize: 1, maintNotifications });
    try {
      await client.connect();
      assert.is(await client.set('{cfg}:k', 'v'), 'OK');
      assert.is(client.state().nodes.length, 3);
    } finally {
      await client.close();
    }
  }
});

test.run();
