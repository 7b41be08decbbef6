/**
 * reauthenticate() reaches every kind of socket — pooled, dedicated and blocked in BLPOP, held by
 * a WATCH, subscribed — with Redis ACL rotations whose old credentials are removed afterwards.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient, HitlessError, type LifecycleEvent, type MaintClient } from '../../src/index.js';
import { until } from '../helpers/client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

const ACL = ['~*', '&*', '+@all'];

interface Rig {
  server: RedisProcess;
  /** The default user (no password) administers the ACL on the server. */
  admin: MaintClient;
  clients: MaintClient[];
}

async function rig(): Promise<Rig> {
  const server = await startRedis({ args: ['--user', 'app', 'on', '>pass-1', ...ACL] });
  const admin = createMaintClient({ host: server.host, port: server.port, poolSize: 1 });
  await admin.connect();
  return { server, admin, clients: [admin] };
}

async function teardown(r: Rig | undefined): Promise<void> {
  for (const client of r?.clients ?? []) await client.close();
  await r?.server.stop();
}

/** `user=` of every connection on the server but the admin's (CLIENT LIST), by command being run. */
async function users(admin: MaintClient): Promise<Array<{ user: string; cmd: string }>> {
  const list = String(await admin.call('CLIENT', 'LIST'));
  return list
    .trim()
    .split('\n')
    .map((line) => ({ user: /\buser=(\S+)/.exec(line)?.[1] ?? '?', cmd: /\bcmd=(\S+)/.exec(line)?.[1] ?? '?' }))
    .filter((c) => c.user !== 'default');
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('rotation with the old password removed, then to a new user with the old one deleted: pooled, blocked, watching and subscribed sockets all re-AUTH, none dropped', async () => {
  let r: Rig | undefined;
  try {
    r = await rig();
    const admin = r.admin;
    let credentials = { username: 'app', password: 'pass-1' };
    const client = createMaintClient({ host: r.server.host, port: r.server.port, poolSize: 2, credentials: () => credentials });
    r.clients.push(client);
    const events: LifecycleEvent[] = [];
    client.events$.subscribe((e) => events.push(e));
    await client.connect();
    await until(() => client.state().connections.filter((c) => c.state === 'idle').length === 2, 5000, 'pool idle');

    const messages: string[] = [];
    await client.subscribe(['news'], ({ message }) => messages.push(message));
    const popped = client.blpop('jobs', 0);
    const gate = deferred();
    let watchedRead: string | null | undefined;
    const watched = client.watch(['w'], async (tx) => {
      watchedRead = await tx.get('w');
      await gate.promise;
      return tx.multi([['SET', 'w', 'done']]);
    });
    await until(() => watchedRead !== undefined, 5000, 'the WATCH body running');
    await waitFor(async () => (await users(admin)).some((c) => c.cmd === 'blpop'), 'BLPOP blocked on the server');
    assert.is((await users(admin)).length, 5, '2 pooled, 1 blocked, 1 watching, 1 subscriber');

    // 1. The password rotates; the old one is removed once every socket has the new one.
    await admin.call('ACL', 'SETUSER', 'app', '>pass-2');
    credentials = { username: 'app', password: 'pass-2' };
    assert.is(await client.reauthenticate(), 4, 'pooled 2 + WATCH + subscriber (the blocked AUTH is queued, not awaited)');
    await admin.call('ACL', 'SETUSER', 'app', '<pass-1');
    assert.is(await client.call('PING'), 'PONG');

    // 2. To a new user, the old one deleted (Redis then disconnects every socket still signed in as it).
    await admin.call('ACL', 'SETUSER', 'app-2', 'on', '>pass-3', ...ACL);
    credentials = { username: 'app-2', password: 'pass-3' };
    assert.is(await client.reauthenticate(), 4);
    const now = await users(admin);
    assert.equal(now.filter((c) => c.user === 'app').map((c) => c.cmd), ['blpop'], 'only the blocked socket waits for its reply to take the AUTH');
    await admin.call('RPUSH', 'jobs', 'job-1');
    assert.equal(await popped, ['jobs', 'job-1']);
    await waitFor(async () => (await users(admin)).every((c) => c.user === 'app-2'), 'the queued AUTH ran right after the blocking reply');
    const from = events.length;
    await admin.call('ACL', 'DELUSER', 'app');

    // Nothing was dropped: the WATCH still guards its EXEC, the subscriber still hears, all sockets stay.
    gate.resolve();
    assert.equal(await watched, ['OK']);
    assert.ok(Number(await admin.call('PUBLISH', 'news', 'after')) >= 1, 'the subscriber socket is still subscribed');
    await until(() => messages.includes('after'), 5000, 'the message');
    assert.is(await client.call('ACL', 'WHOAMI'), 'app-2');
    const again = client.blpop('jobs', 0);
    await admin.call('RPUSH', 'jobs', 'job-2');
    assert.equal(await again, ['jobs', 'job-2'], 'the dedicated connection is lent again');
    assert.equal(
      events.slice(from).filter((e) => e.type === 'connection.lost' || e.type === 'pubsub.lost').map((e) => e.type),
      [],
      'no socket dropped',
    );
    assert.is((await users(admin)).length, 5);
  } finally {
    await teardown(r);
  }
});

test('an AUTH queued behind a blocking command that the server refuses is logged; the blocked call and its socket carry on', async () => {
  let r: Rig | undefined;
  try {
    r = await rig();
    const logged: string[] = [];
    const logger = { error: (...a: unknown[]) => logged.push(a.map(String).join(' ')), warn: () => {}, info: () => {}, debug: () => {} };
    let credentials = { username: 'app', password: 'pass-1' };
    const client = createMaintClient({ host: r.server.host, port: r.server.port, poolSize: 1, logger, credentials: () => credentials });
    r.clients.push(client);
    await client.connect();
    const popped = client.blpop('jobs', 0);
    await waitFor(async () => (await users(r!.admin)).some((c) => c.cmd === 'blpop'), 'BLPOP blocked on the server');
    credentials = { username: 'app', password: 'wrong' };
    const error = await client.reauthenticate().then(
      () => assert.unreachable('a wrong password was accepted'),
      (e: unknown) => e,
    );
    assert.instance(error, HitlessError);
    assert.is((error as HitlessError).code, 'ERR_AUTH');
    assert.match((error as HitlessError).message, /refused on 1 of 1 connections/);
    await r.admin.call('RPUSH', 'jobs', 'job-1');
    assert.equal(await popped, ['jobs', 'job-1']);
    await until(() => logged.some((line) => /after its blocking command: WRONGPASS/.test(line)), 5000, 'the late refusal logged');
    assert.not.ok(logged.some((line) => line.includes('wrong')), 'the password is not logged');
    const again = client.blpop('jobs', 1);
    await r.admin.call('RPUSH', 'jobs', 'job-2');
    assert.equal(await again, ['jobs', 'job-2'], 'the socket keeps its earlier authentication');
  } finally {
    await teardown(r);
  }
});

async function waitFor(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test.run();
