/**
 * Credentials on a cluster, as on a client: an Observable's latest value is what every node's
 * sockets use, and a new value re-AUTHs every live socket of every node (pooled, subscribed,
 * sharded-subscribed) without dropping one — shown by deleting the old ACL user, which makes Redis
 * drop every socket still signed in as it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BehaviorSubject } from 'rxjs';
import { createMaintCluster, HitlessError, type ClusterEvent, type MaintCluster, type PubSubMessage } from '../../src/index.js';
import { startCluster, type LocalCluster } from '../helpers/cluster.js';

const ACL = ['on', '~*', '&*', '+@all'];
let cluster: LocalCluster;

/** Polls an async condition (the servers' CLIENT LIST) until it holds. */
async function until(predicate: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test.before(async () => {
  cluster = await startCluster({ primaries: 3 });
  for (const node of cluster.nodes) {
    await cluster.command(node, 'ACL', 'SETUSER', 'app-1', ...ACL, '>secret-1');
    await cluster.command(node, 'ACL', 'SETUSER', 'app-2', ...ACL, '>secret-2');
  }
});

test.after(async () => {
  await cluster?.stop();
});

/** `user=` of every client connection on every node but the admin's (default user). */
async function users(): Promise<string[]> {
  const found: string[] = [];
  for (const node of cluster.nodes) {
    const list = String(await cluster.command(node, 'CLIENT', 'LIST'));
    for (const line of list.trim().split('\n')) {
      const user = /\buser=(\S+)/.exec(line)?.[1];
      if (user !== undefined && user !== 'default') found.push(user);
    }
  }
  return found.sort();
}

test('an Observable of credentials: a new value re-AUTHs every node\'s pooled and subscriber sockets; the old user deleted, none dropped', async () => {
  const credentials = new BehaviorSubject({ username: 'app-1', password: 'secret-1' });
  const root = cluster.primaries[0]!;
  let client: MaintCluster | undefined;
  try {
    client = createMaintCluster({ rootNodes: [{ host: root.host, port: root.port }], poolSize: 2, credentials, refreshInterval: 0 });
    const c = client;
    const events: ClusterEvent[] = [];
    c.events$.subscribe((event) => events.push(event));
    await c.connect();
    const messages: PubSubMessage[] = [];
    const sharded: PubSubMessage[] = [];
    const keys = Array.from({ length: 30 }, (_, i) => `cred:${i}`);
    for (const key of keys) await c.set(key, '1');
    const sub = c.subscribe$('news').subscribe((message) => messages.push(message));
    const ssub = c.ssubscribe$('orders:{a}', 'orders:{b}', 'orders:{c}').subscribe((message) => sharded.push(message));
    await until(async () => (await users()).length === 3 * 2 + 1 + 3, 5000, 'pooled + subscriber + sharded sockets signed in');
    assert.ok((await users()).every((user) => user === 'app-1'));

    credentials.next({ username: 'app-2', password: 'secret-2' });
    await until(async () => (await users()).every((user) => user === 'app-2'), 5000, 'every socket re-AUTHed as app-2');
    const lostBefore = events.filter((event) => event.type === 'connection.lost').length;
    for (const node of cluster.nodes) await cluster.command(node, 'ACL', 'DELUSER', 'app-1');

    for (const key of keys) assert.is(await c.incr(key), 2);
    await c.publish('news', 'after');
    for (const channel of ['orders:{a}', 'orders:{b}', 'orders:{c}']) await c.spublish(channel, 'after');
    await until(() => messages.length === 1 && sharded.length === 3, 5000, 'messages after the rotation');
    assert.is(events.filter((event) => event.type === 'connection.lost').length, lostBefore, 'no socket dropped');
    assert.is((await users()).length, 3 * 2 + 1 + 3);
    sub.unsubscribe();
    ssub.unsubscribe();
  } finally {
    await client?.close();
  }
});

test('reauthenticate(): re-AUTHs every live socket with the provider\'s answer now; a refused one is a typed ERR_AUTH', async () => {
  let current = { username: 'app-2', password: 'secret-2' };
  const root = cluster.primaries[1]!;
  let client: MaintCluster | undefined;
  try {
    for (const node of cluster.nodes) await cluster.command(node, 'ACL', 'SETUSER', 'app-3', ...ACL, '>secret-3');
    client = createMaintCluster({ rootNodes: [{ host: root.host, port: root.port }], poolSize: 1, credentials: () => current });
    await assert_rejects_not_ready(client);
    await client.connect();
    for (let i = 0; i < 30; i++) await client.get(`cred:${i}`); // every primary's pool in use
    current = { username: 'app-3', password: 'secret-3' };
    assert.is(await client.reauthenticate(), 3, 'one pooled socket per primary');
    await until(async () => (await users()).filter((user) => user === 'app-3').length === 3, 5000, 'signed in as app-3');
    current = { username: 'app-3', password: 'wrong' };
    const error = await client.reauthenticate().then(() => null, (e: unknown) => e);
    assert.instance(error, HitlessError);
    assert.is((error as HitlessError).code, 'ERR_AUTH');
    assert.not.match(String((error as Error).message), 'wrong');
    assert.is(await client.get('cred:0'), '2', 'the sockets keep their earlier authentication');
  } finally {
    await client?.close();
  }
});

async function assert_rejects_not_ready(client: MaintCluster): Promise<void> {
  const error = await client.reauthenticate().then(() => null, (e: unknown) => e);
  assert.instance(error, HitlessError, 'reauthenticate() before connect() is refused');
}

test.run();
