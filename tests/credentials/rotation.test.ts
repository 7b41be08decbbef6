/** Rotating credentials with Redis ACL users, through the simulator: asked per socket, rotated, re-AUTHed, revoked. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMaintClient, HitlessError, type LifecycleEvent, type MaintClient } from '../../src/index.js';
import { createMaintSimulator, type MaintSimulator } from '../../src/simulator/index.js';
import { until } from '../helpers/client.js';
import { mismatches, startLoad } from '../helpers/load.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { handoffOutcomes } from '../helpers/simulated.js';

const USER = 'app';

/** The typed error `promise` rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<HitlessError> {
  const outcome = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  assert.instance(outcome, HitlessError, String(outcome));
  return outcome as HitlessError;
}

interface Rig {
  server: RedisProcess;
  sim: MaintSimulator;
  admin: MaintClient;
  port: number;
}

async function rig(clients: MaintClient[]): Promise<Rig> {
  const server = await startRedis({ args: ['--user', USER, 'on', '>first-pass', '~*', '&*', '+@all'] });
  const sim = await createMaintSimulator({ upstream: { host: server.host, port: server.port }, endpoints: 2 });
  // The default user (no password) administers the ACL directly on the server.
  const admin = createMaintClient({ host: server.host, port: server.port, poolSize: 1 });
  clients.push(admin);
  await admin.connect();
  return { server, sim, admin, port: Number((sim.endpoints[0] as string).split(':')[1]) };
}

test('the provider is asked for every new socket; rotated on the server and in the provider, a bind under load loses nothing', async () => {
  let r: Rig | undefined;
  const clients: MaintClient[] = [];
  try {
    r = await rig(clients);
    let password = 'first-pass';
    let asked = 0;
    const client = createMaintClient({
      host: '127.0.0.1',
      port: r.port,
      poolSize: 4,
      commandTimeout: 400,
      credentials: async () => {
        asked++;
        return { username: USER, password };
      },
      maintNotifications: { endpointType: 'internal-ip', relaxedTimeout: 2500, handoffTimeout: 3000 },
    });
    clients.push(client);
    const events: LifecycleEvent[] = [];
    client.events$.subscribe((e) => events.push(e));
    await client.connect();
    await until(() => client.state().connections.filter((c) => c.state === 'idle').length === 4, 5000, 'pool idle');
    assert.is(asked, 4, 'once per socket');
    assert.equal(await client.call('ACL', 'WHOAMI'), USER);

    const load = startLoad(client, 20, 'rotate');
    try {
      await until(() => load.stats.latencies.length > 200, 10_000, 'steady load');
      // Rotation: the new password is added, the old one removed; live sockets stay authenticated.
      await r.admin.call('ACL', 'SETUSER', USER, '>second-pass', '<first-pass');
      password = 'second-pass';
      assert.is(await client.reauthenticate(), 4, 'every live socket re-AUTHed without a drop');
      assert.is(asked, 5, 'reauthenticate() asked the provider once');
      const from = events.length;
      const result = await r.sim.run({ type: 'bind', parameters: { time_s: 1 } });
      const seq = result.output['seq'] as number;
      await until(() => handoffOutcomes(events, seq, from).succeeded === 4, 5000, 'every handoff');
      assert.equal(handoffOutcomes(events, seq, from), { started: 4, succeeded: 4, failed: 0, fellBack: 0, retried: 0 });
      assert.is(asked, 9, 'each handoff socket asked the provider');
      const after = load.stats.latencies.length;
      await until(() => load.stats.latencies.length > after + 100, 10_000, 'load after the bind');
    } finally {
      await load.stop();
    }
    assert.equal(load.stats.failures, [], 'no command failed');
    assert.equal(await mismatches(client, load.stats), [], 'nothing lost, nothing doubled');
    assert.is(events.filter((e) => e.type === 'connection.lost').length, 0, 'no connection dropped');
  } finally {
    for (const client of clients) await client.close();
    await r?.sim.close();
    await r?.server.stop();
  }
});

test('a revoked user: commands fail typed, and the wrong password is retried with a capped, growing backoff (no tight loop)', async () => {
  let r: Rig | undefined;
  const clients: MaintClient[] = [];
  try {
    r = await rig(clients);
    const client = createMaintClient({ host: '127.0.0.1', port: r.port, poolSize: 2, commandTimeout: 300, connectTimeout: 500, credentials: () => ({ username: USER, password: 'first-pass' }) });
    clients.push(client);
    const events: LifecycleEvent[] = [];
    client.events$.subscribe((e) => events.push(e));
    await client.connect();
    assert.is(await client.call('PING'), 'PONG');
    // Deleting the user also disconnects its clients.
    await r.admin.call('ACL', 'DELUSER', USER);
    const from = events.length;
    const started = Date.now();
    await until(() => events.slice(from).some((e) => e.type === 'connection.reconnecting'), 3000, 'the drop');
    const error = await client.call('PING').then(
      () => assert.unreachable('a revoked user was served'),
      (e: unknown) => e,
    );
    assert.instance(error, HitlessError);
    await new Promise((resolve) => setTimeout(resolve, 1500 - (Date.now() - started)));
    const retries = events.slice(from).filter((e) => e.type === 'connection.reconnecting');
    const reasons = retries.map((e) => (e.type === 'connection.reconnecting' ? e.reason : '')).filter((reason) => /WRONGPASS|Authentication/.test(reason));
    assert.ok(reasons.length > 0, 'the reconnects were refused for the credentials');
    // Two connections over 1.5 s: a tight loop would be hundreds; backoff 25..50, 50..100, … 1000..2000 ms.
    assert.ok(retries.length <= 16, `${retries.length} reconnect attempts in 1.5 s`);
    const delays = retries.map((e) => (e.type === 'connection.reconnecting' ? e.delayMs : 0));
    assert.ok(delays.every((d) => d <= 2000), delays.join(','));
    assert.ok(Math.max(...delays) >= 100, `the backoff grows: ${delays.join(',')}`);
  } finally {
    for (const client of clients) await client.close();
    await r?.sim.close();
    await r?.server.stop();
  }
});

test('a provider that throws, rejects, answers nonsense or hangs fails the attempt with ERR_AUTH, never the process', async () => {
  let r: Rig | undefined;
  const clients: MaintClient[] = [];
  try {
    r = await rig(clients);
    const providers: Array<[string, () => never | Promise<never> | unknown]> = [
      ['throws', () => { throw new Error('vault unreachable'); }],
      ['rejects', () => Promise.reject(new TypeError('token endpoint 503'))],
      ['rejects with a non-error', () => Promise.reject('nope')],
      ['null', () => null],
      ['no password', () => ({ username: USER })],
      ['empty username', () => ({ username: '', password: 'x' })],
      ['hangs', () => new Promise(() => {})],
    ];
    for (const [what, provider] of providers) {
      const client = createMaintClient({ host: '127.0.0.1', port: r.port, poolSize: 1, connectTimeout: 300, credentials: provider as never });
      clients.push(client);
      const error = await rejection(client.connect());
      assert.is(error.code, 'ERR_AUTH', `${what}: ${error.message}`);
    }
    // The provider's text is not repeated in the message (it could hold a secret); it is the cause.
    const leaky = createMaintClient({ host: '127.0.0.1', port: r.port, poolSize: 1, connectTimeout: 300, credentials: () => { throw new Error('token=abc123'); } });
    clients.push(leaky);
    const error = await rejection(leaky.connect());
    assert.not.match(error.message, /abc123/);
    assert.match(String((error.cause as Error | undefined)?.message), /abc123/);
  } finally {
    for (const client of clients) await client.close();
    await r?.sim.close();
    await r?.server.stop();
  }
});

test('reauthenticate(): refused credentials reject with ERR_AUTH and leave the sockets working; no credentials is a usage error', async () => {
  let r: Rig | undefined;
  const clients: MaintClient[] = [];
  try {
    r = await rig(clients);
    let password = 'first-pass';
    const client = createMaintClient({ host: '127.0.0.1', port: r.port, poolSize: 2, credentials: () => ({ username: USER, password }) });
    clients.push(client);
    await client.connect();
    await until(() => client.state().connections.filter((c) => c.state === 'idle').length === 2, 5000, 'pool idle');
    password = 'not-the-password';
    const error = await rejection(client.reauthenticate());
    assert.is(error.code, 'ERR_AUTH');
    assert.match(error.message, /WRONGPASS/);
    assert.not.match(error.message, /not-the-password/);
    assert.is(await client.call('PING'), 'PONG', 'the sockets keep their earlier authentication');
    const plain = createMaintClient({ host: '127.0.0.1', port: r.port, poolSize: 1 });
    clients.push(plain);
    await plain.connect();
    const usage = await rejection(plain.reauthenticate());
    assert.is(usage.code, 'ERR_INVALID_ARGUMENT');
    const closed = createMaintClient({ host: '127.0.0.1', port: r.port, poolSize: 1 });
    clients.push(closed);
    assert.is((await rejection(closed.reauthenticate())).code, 'ERR_NOT_CONNECTED');
  } finally {
    for (const client of clients) await client.close();
    await r?.sim.close();
    await r?.server.stop();
  }
});

test.run();
