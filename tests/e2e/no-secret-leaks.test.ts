/** A drill with a password: no event, snapshot, log line, inspection, simulator event or error text shows it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import { createMaintClient, type MaintClient } from '../../src/index.js';
import { createMaintSimulator, type MaintSimulator } from '../../src/simulator/index.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { until } from '../helpers/client.js';

const PASSWORD = 'Zq9-s3cr3t-P4ss';

/** JSON of what an inspector would be shown (actor references cut at cycles). */
function json(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[cycle]';
      seen.add(v);
    }
    return typeof v === 'bigint' ? String(v) : v;
  });
}
const USER = 'ada';

test('a password given in a URL never appears in events, state, logs, inspection, simulator events or errors', async () => {
  let server: RedisProcess | undefined;
  let sim: MaintSimulator | undefined;
  const clients: MaintClient[] = [];
  const texts: string[] = [];
  const record = (value: unknown) => texts.push(typeof value === 'string' ? value : inspect(value, { depth: 8, breakLength: Infinity }));
  const logger = { error: (...a: unknown[]) => record(a), warn: (...a: unknown[]) => record(a), info: (...a: unknown[]) => record(a), debug: (...a: unknown[]) => record(a) };
  try {
    server = await startRedis({ args: ['--user', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all'] });
    sim = await createMaintSimulator({ upstream: { host: server.host, port: server.port }, endpoints: 2 });
    sim.events$.subscribe(record);
    const [host, port] = (sim.endpoints[0] as string).split(':');
    const url = `redis://${USER}:${PASSWORD}@${host}:${port}`;
    const client = createMaintClient({
      url,
      poolSize: 2,
      commandTimeout: 1000,
      logger,
      inspect: (event: { type: string; event?: unknown; snapshot?: { context?: unknown } }) => record(json({ type: event.type, event: event.event, context: event.snapshot?.context })),
      maintNotifications: { logLevel: 'debug', relaxedTimeout: 1000, handoffTimeout: 2000 },
    });
    clients.push(client);
    client.events$.subscribe(record);
    client.state$.subscribe(record);
    client.notifications$.subscribe(record);
    await client.connect();
    await until(() => client.state().connections.filter((c) => c.state === 'idle').length === 2, 5000, 'the pool idle');
    assert.is(await client.incr('leak:n'), 1);
    const moved = texts.length;
    await sim.run({ type: 'bind', parameters: { time_s: 1 } });
    await until(() => client.state().connections.every((c) => c.endpoint === sim?.endpoints[1]), 5000, 'every connection moved');
    assert.ok(texts.slice(moved).some((t) => t.includes('handoff.succeeded')), 'the drill really handed off');
    assert.is(await client.incr('leak:n'), 2);
    record(client.state());

    // Errors: a refused AUTH/HELLO, a wrong password, a bad URL carrying a password.
    for (const attempt of [() => client.call('AUTH', USER, PASSWORD), () => client.call('HELLO', '3', 'AUTH', USER, PASSWORD), () => client.multi([['AUTH', USER, PASSWORD]])]) {
      await attempt().then(
        () => assert.unreachable('sent'),
        (error: unknown) => record(`${String(error)} ${inspect(error)}`),
      );
    }
    const wrong = createMaintClient({ url: `redis://${USER}:${PASSWORD}x@${host}:${port}`, poolSize: 1, connectTimeout: 1000, logger, maintNotifications: { logLevel: 'debug' } });
    clients.push(wrong);
    wrong.events$.subscribe(record);
    await wrong.connect().then(
      () => assert.unreachable('a wrong password connected'),
      (error: unknown) => record(`${String(error)} ${inspect(error)}`),
    );
    for (const bad of [`redis://${USER}:${PASSWORD}@${host}:99999`, `redis://${USER}:${PASSWORD}@${host}:${port}/x`, `redis://${USER}:${PASSWORD}@`]) {
      try {
        createMaintClient({ url: bad });
        assert.unreachable(`${bad} accepted`);
      } catch (error) {
        record(`${String(error)} ${inspect(error)}`);
      }
    }

    const all = texts.join('\n');
    assert.ok(texts.length > 50, `collected ${texts.length} texts`);
    // The collection is real: it holds the refused re-AUTH's typed error (not only what was awaited above).
    assert.ok(all.includes("code: 'ERR_AUTH'"), 'the refused re-AUTH’s error was collected');
    assert.not.ok(all.includes(PASSWORD), `the password leaked: ${texts.find((t) => t.includes(PASSWORD))?.slice(0, 300)}`);
  } finally {
    for (const client of clients) await client.close();
    await sim?.close();
    await server?.stop();
  }
});

test('passwords from a credentials provider (rotated, re-AUTHed, refused) never appear in events, state, logs, simulator events or errors', async () => {
  let server: RedisProcess | undefined;
  let sim: MaintSimulator | undefined;
  const clients: MaintClient[] = [];
  const texts: string[] = [];
  const record = (value: unknown) => texts.push(typeof value === 'string' ? value : inspect(value, { depth: 8, breakLength: Infinity }));
  const logger = { error: (...a: unknown[]) => record(a), warn: (...a: unknown[]) => record(a), info: (...a: unknown[]) => record(a), debug: (...a: unknown[]) => record(a) };
  const first = `${PASSWORD}-one`;
  const second = `${PASSWORD}-two`;
  const wrong = `${PASSWORD}-wrong`;
  try {
    server = await startRedis({ args: ['--user', USER, 'on', `>${first}`, '~*', '&*', '+@all'] });
    const admin = createMaintClient({ host: server.host, port: server.port, poolSize: 1 });
    clients.push(admin);
    await admin.connect();
    sim = await createMaintSimulator({ upstream: { host: server.host, port: server.port }, endpoints: 2 });
    sim.events$.subscribe(record);
    let password = first;
    const [host, port] = (sim.endpoints[0] as string).split(':');
    const client = createMaintClient({
      host: host as string,
      port: Number(port),
      poolSize: 2,
      commandTimeout: 1000,
      connectTimeout: 1000,
      logger,
      credentials: () => ({ username: USER, password }),
      maintNotifications: { logLevel: 'debug', relaxedTimeout: 1000, handoffTimeout: 2000, endpointType: 'internal-ip' },
    });
    clients.push(client);
    client.events$.subscribe(record);
    client.state$.subscribe(record);
    await client.connect();
    await admin.call('ACL', 'SETUSER', USER, `>${second}`, `<${first}`);
    password = second;
    record(await client.reauthenticate());
    await sim.run({ type: 'bind', parameters: { time_s: 1 } });
    await until(() => client.state().connections.every((c) => c.endpoint === sim?.endpoints[1]), 5000, 'every connection moved');
    assert.ok(texts.some((t) => t.includes('handoff.succeeded')), 'the drill really handed off');
    password = wrong;
    await client.reauthenticate().then(
      () => assert.unreachable('a wrong password was accepted'),
      (error: unknown) => record(`${String(error)} ${inspect(error)}`),
    );
    // A reconnect with the wrong password is refused: its reasons are recorded too.
    await admin.call('CLIENT', 'KILL', 'USER', USER);
    await until(() => texts.some((t) => t.includes('WRONGPASS')), 5000, 'a refused reconnect');
    record(client.state());

    const all = texts.join('\n');
    // The collection is real: it holds the refused re-AUTH's typed error (not only what was awaited above).
    assert.ok(all.includes("code: 'ERR_AUTH'"), 'the refused re-AUTH’s error was collected');
    for (const secret of [first, second, wrong, PASSWORD]) assert.not.ok(all.includes(secret), `a password leaked: ${texts.find((t) => t.includes(secret))?.slice(0, 300)}`);
  } finally {
    for (const client of clients) await client.close();
    await sim?.close();
    await server?.stop();
  }
});

test.run();
