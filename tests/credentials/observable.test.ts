/** Credentials as an Observable: new sockets use the latest value; each later value re-AUTHs the live sockets. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BehaviorSubject, Subject } from 'rxjs';
import { createMaintClient, HitlessError, type Credentials, type MaintClient } from '../../src/index.js';
import { until } from '../helpers/client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

const ACL = ['--user', 'alice', 'on', '>alice-pass', '~*', '&*', '+@all', '--user', 'bob', 'on', '>bob-pass', '~*', '&*', '+@all'];

test('a new value re-AUTHs every live socket as the new user, without a reconnect', async () => {
  let server: RedisProcess | undefined;
  let client: MaintClient | undefined;
  try {
    server = await startRedis({ args: ACL });
    const credentials = new BehaviorSubject<Credentials>({ username: 'alice', password: 'alice-pass' });
    const warnings: string[] = [];
    const logger = { warn() {}, info() {}, debug() {}, error: (message: string) => warnings.push(message) };
    client = createMaintClient({ host: server.host, port: server.port, poolSize: 2, credentials, logger });
    const lost: string[] = [];
    client.events$.subscribe((e) => e.type === 'connection.lost' && lost.push(e.reason));
    await client.connect();
    const c = client;
    await until(() => c.state().connections.filter((x) => x.state === 'idle').length === 2, 5000, 'pool idle');
    assert.equal(await Promise.all([c.call('ACL', 'WHOAMI'), c.call('ACL', 'WHOAMI')]), ['alice', 'alice']);
    credentials.next({ username: 'bob', password: 'bob-pass' });
    await until(() => false, 300, '').catch(() => {});
    const who = await Promise.all(Array.from({ length: 6 }, () => c.call('ACL', 'WHOAMI')));
    assert.equal(who, Array(6).fill('bob'));
    assert.equal(lost, [], 'no socket dropped');
    // A refused value is logged, not thrown: the sockets keep bob.
    credentials.next({ username: 'bob', password: 'wrong' });
    await until(() => false, 200, '').catch(() => {});
    assert.is(await c.call('ACL', 'WHOAMI'), 'bob');
    await until(() => warnings.length > 0, 2000, 'the warning');
    assert.match(warnings[0] ?? '', /re-authentication with the new credentials failed/);
    assert.not.match(warnings.join(' '), /wrong/);
  } finally {
    await client?.close();
    await server?.stop();
  }
});

test('connect() waits for the first value; a failed observable fails new sockets with ERR_AUTH', async () => {
  let server: RedisProcess | undefined;
  const clients: MaintClient[] = [];
  try {
    server = await startRedis({ args: ACL });
    const later = new Subject<Credentials>();
    const waiting = createMaintClient({ host: server.host, port: server.port, poolSize: 1, connectTimeout: 2000, credentials: later });
    clients.push(waiting);
    const connected = waiting.connect();
    setTimeout(() => later.next({ username: 'alice', password: 'alice-pass' }), 100);
    await connected;
    assert.is(await waiting.call('ACL', 'WHOAMI'), 'alice');

    const failing = new Subject<Credentials>();
    const broken = createMaintClient({ host: server.host, port: server.port, poolSize: 1, connectTimeout: 500, credentials: failing });
    clients.push(broken);
    failing.error(new Error('token service down'));
    const error = await broken.connect().then(() => null, (e: unknown) => e);
    assert.instance(error, HitlessError);
    assert.is((error as HitlessError).code, 'ERR_AUTH');

    const never = new Subject<Credentials>();
    const closedEarly = createMaintClient({ host: server.host, port: server.port, poolSize: 1, connectTimeout: 2000, credentials: never });
    const pending = closedEarly.connect().then(() => null, (e: unknown) => e);
    await closedEarly.close();
    assert.instance(await pending, HitlessError, 'closing while waiting for the first value fails connect() typed');
    assert.not.ok(never.observed, 'unsubscribed on close');
  } finally {
    for (const client of clients) await client.close();
    await server?.stop();
  }
});

test.run();
