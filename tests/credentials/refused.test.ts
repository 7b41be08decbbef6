/** Credentials the server refuses: typed ERR_AUTH, and never retried in a tight loop, whoever asks for sockets. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { ConnectionError, createMaintClient, HitlessError, type MaintClient } from '../../src/index.js';
import { RefusedCredentials } from '../../src/credentials/refusals.js';
import { until } from '../helpers/client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';

const ACL = ['~*', '&*', '+@all'];

async function rejection(promise: Promise<unknown>): Promise<HitlessError> {
  const outcome = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  assert.instance(outcome, HitlessError, String(outcome));
  return outcome as HitlessError;
}

test('a wrong password, an unknown user or no password where one is needed: connect() fails with ERR_AUTH (the server text, never the password)', async () => {
  let server: RedisProcess | undefined;
  const clients: MaintClient[] = [];
  try {
    server = await startRedis({ args: ['--user', 'app', 'on', '>right-pass', ...ACL, '--user', 'default', 'off'] });
    const attempts = [
      { what: 'wrong password', options: { username: 'app', password: 'wrong-pass' } },
      { what: 'unknown user', options: { credentials: () => ({ username: 'nobody', password: 'wrong-pass' }) } },
      { what: 'RESP2, wrong password', options: { username: 'app', password: 'wrong-pass', protocol: 2 as const, maintNotifications: { mode: 'disabled' as const } } },
      { what: 'no password (default user disabled)', options: {} },
      { what: 'RESP2, no password, SELECT', options: { protocol: 2 as const, database: 1, maintNotifications: { mode: 'disabled' as const } } },
    ];
    for (const { what, options } of attempts) {
      const client = createMaintClient({ host: server.host, port: server.port, poolSize: 1, connectTimeout: 1000, ...options });
      clients.push(client);
      const error = await rejection(client.connect());
      assert.is(error.code, 'ERR_AUTH', `${what}: ${error.code} ${error.message}`);
      assert.instance(error, ConnectionError);
      assert.ok(error.retryable, 'a rotation may make the same attempt succeed later');
      assert.match(error.message, /Authentication failed: (WRONGPASS|NOAUTH)/, what);
      assert.not.match(error.message, /wrong-pass/, what);
    }
    const right = createMaintClient({ host: server.host, port: server.port, poolSize: 1, username: 'app', password: 'right-pass' });
    clients.push(right);
    await right.connect();
    assert.is(await right.call('ACL', 'WHOAMI'), 'app');
  } finally {
    for (const client of clients) await client.close();
    await server?.stop();
  }
});

test('refused credentials, and a caller leasing dedicated connections in a loop: at most one dial per growing window; other credentials are tried at once', async () => {
  let server: RedisProcess | undefined;
  const clients: MaintClient[] = [];
  try {
    server = await startRedis({ args: ['--user', 'app', 'on', '>pass-1', ...ACL] });
    const admin = createMaintClient({ host: server.host, port: server.port, poolSize: 1 });
    clients.push(admin);
    await admin.connect();
    let password = 'pass-1';
    const client = createMaintClient({ host: server.host, port: server.port, poolSize: 2, commandTimeout: 300, credentials: () => ({ username: 'app', password }) });
    clients.push(client);
    await client.connect();
    assert.is(await client.call('PING'), 'PONG');

    // The password is rotated on the server, the provider has not caught up, and the sockets drop.
    await admin.call('ACL', 'SETUSER', 'app', 'resetpass', '>pass-2');
    password = 'stale-pass';
    await admin.call('CONFIG', 'RESETSTAT');
    await admin.call('CLIENT', 'KILL', 'USER', 'app');
    const codes = new Map<string, number>();
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < 1500) {
      calls++;
      const error = await rejection(client.blpop('jobs', 1));
      codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
    }
    const stats = String(await admin.call('INFO', 'stats'));
    const dials = Number(/total_connections_received:(\d+)/.exec(stats)?.[1]); // the admin's connection was opened before the reset
    assert.ok(calls > 50, `the caller looped (${calls} calls)`);
    assert.equal([...codes.keys()], ['ERR_AUTH'], JSON.stringify([...codes]));
    // 1.5 s of windows 50, 100, 200, 400, 800 ms: about 6 dials for all the pool's reconnects and the loop together.
    assert.ok(dials >= 2 && dials <= 14, `${dials} dials for ${calls} calls`);

    password = 'pass-2';
    const popped = client.blpop('jobs', 0);
    await admin.call('RPUSH', 'jobs', 'job');
    assert.equal(await popped, ['jobs', 'job'], 'the new credentials were tried at once');
    await until(() => client.state().connections.filter((c) => c.state === 'idle').length >= 2, 5000, 'the pool reconnected');
  } finally {
    for (const client of clients) await client.close();
    await server?.stop();
  }
});

test('RefusedCredentials: the window grows per refusal, attempts begun together count once, other credentials and an acceptance clear it', () => {
  const clock = new SimulatedClock();
  const refusals = new RefusedCredentials(clock);
  const bad = { username: 'app', password: 'bad' };
  const blocked = () => {
    try {
      refusals.check({ ...bad });
      return false;
    } catch (error) {
      assert.is((error as HitlessError).code, 'ERR_AUTH');
      assert.not.match((error as Error).message, /bad/);
      return true;
    }
  };
  assert.not.ok(blocked(), 'nothing refused yet');
  refusals.refusedWith(bad, 0);
  refusals.refusedWith(bad, 0); // a second socket that dialled together with the first
  assert.ok(blocked());
  clock.increment(50);
  assert.not.ok(blocked(), 'one refusal: 50 ms');
  refusals.refusedWith(bad, clock.now());
  clock.increment(99);
  assert.ok(blocked(), 'two refusals: 100 ms');
  refusals.check({ username: 'app', password: 'rotated' }); // other credentials are not held back (no throw)
  clock.increment(1);
  assert.not.ok(blocked());
  refusals.refusedWith(bad, clock.now());
  refusals.accepted();
  assert.not.ok(blocked(), 'an accepted handshake forgets the refusal');
});

test.run();
