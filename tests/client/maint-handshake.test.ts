import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ConnectionError, createMaintClient, type MaintClient } from '../../src/index.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { clientFor, until } from '../helpers/client.js';

let server: RedisProcess;
let admin: MaintClient;
test.before(async () => {
  server = await startRedis();
  admin = createMaintClient({ host: server.host, port: server.port, poolSize: 1, maintNotifications: { mode: 'disabled' } });
  await admin.connect();
});
test.after(async () => {
  await admin.close();
  await server.stop();
});

/** Error replies the server has sent in all (the rejected opt-ins among them). */
async function errorReplies(): Promise<number> {
  return Number(/total_error_replies:(\d+)/.exec(String(await admin.call('INFO', 'stats')))?.[1] ?? NaN);
}

/**
 * Error replies one connection's handshake costs without any opt-in: servers before 7.2 reject
 * CLIENT SETINFO too (ignored by the client). Measured, so the tests hold on any version.
 */
async function baselineErrorsPerConnection(): Promise<number> {
  const before = await errorReplies();
  const { client } = clientFor(server, { poolSize: 1, maintNotifications: { mode: 'disabled' } });
  await client.connect();
  await client.close();
  return (await errorReplies()) - before;
}

/** The rest of a pool opens just after the first connection: wait for all of them. */
function allIdle(client: MaintClient, count: number): Promise<void> {
  return until(() => client.state().connections.filter((c) => c.state === 'idle').length === count, 2000, `${count} connections idle`);
}

function recordingLogger() {
  const lines: Array<[string, string]> = [];
  const sink = (level: string) => (message: string) => lines.push([level, message]);
  return { lines, logger: { error: sink('error'), warn: sink('warn'), info: sink('info'), debug: sink('debug') } };
}

test("mode 'auto' against plain redis-server: works, quiet, recorded unsupported, not asked again", async () => {
  const baseline = await baselineErrorsPerConnection();
  const atStart = await errorReplies();
  const { lines, logger } = recordingLogger();
  const { client, events } = clientFor(server, { poolSize: 3, logger, clientName: 'auto-test' });
  await client.connect();
  try {
    await allIdle(client, 3);
    assert.is(await client.set('auto', 'yes'), 'OK');
    const endpoint = `${server.host}:${server.port}`;
    assert.is(client.state().endpoints[endpoint], 'unsupported');
    assert.equal(events.filter((e) => e.type === 'endpoint.support').map((e) => e.type === 'endpoint.support' && e.support), ['unsupported']);
    assert.not.ok(events.some((e) => e.type === 'notification.invalid'));
    assert.equal(lines, [], 'nothing logged at the default level');
    const afterConnect = await errorReplies();
    const rejections = afterConnect - atStart - 3 * baseline;
    // The first connection opens alone: the others already know the endpoint does not support it.
    assert.is(rejections, 1, `opt-in rejected by the first connection only (${rejections})`);
    // Drop every connection; the ones that replace them must not ask again.
    const readyBefore = events.filter((e) => e.type === 'connection.ready').length;
    const list = String(await admin.call('CLIENT', 'LIST'));
    const ids = [...list.matchAll(/^id=(\d+) .* name=auto-test /gm)].map((match) => match[1] as string);
    assert.is(ids.length, 3);
    for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
    await until(() => events.filter((e) => e.type === 'connection.ready').length >= readyBefore + 3, 5000, 'reconnects');
    // Only the baseline: not one more rejected opt-in.
    assert.is((await errorReplies()) - afterConnect, 3 * baseline);
  } finally {
    await client.close();
  }
});

test("mode 'auto' with logLevel debug logs the rejection once for the endpoint", async () => {
  const { lines, logger } = recordingLogger();
  const { client } = clientFor(server, { poolSize: 4, logger, maintNotifications: { logLevel: 'debug' } });
  await client.connect();
  await client.close();
  const mentions = lines.filter(([, message]) => message.includes('does not support maintenance notifications'));
  assert.is(mentions.length, 1);
  assert.is(mentions[0]?.[0], 'debug');
});

test("mode 'enabled' against plain redis-server: connect() rejects with a typed error naming the reply", async () => {
  const { client, events } = clientFor(server, { poolSize: 2, maintNotifications: { mode: 'enabled' } });
  const error = await client.connect().then(() => null, (e: unknown) => e);
  assert.instance(error, ConnectionError);
  assert.is((error as ConnectionError).code, 'ERR_MAINT_UNSUPPORTED');
  assert.match((error as Error).message, /MAINT_NOTIFICATIONS/);
  assert.match((error as Error).message, /unknown subcommand/i);
  // The failed client closed itself: its streams completed and calls are refused.
  assert.ok(events.some((e) => e.type === 'connection.closed'));
  await client.call('PING').then(
    () => assert.unreachable('a closed client must refuse calls'),
    (e: unknown) => assert.is((e as ConnectionError).code, 'ERR_CLIENT_CLOSED'),
  );
});

test("mode 'disabled' sends nothing", async () => {
  const baseline = await baselineErrorsPerConnection();
  const before = await errorReplies();
  const { client, events } = clientFor(server, { poolSize: 2, maintNotifications: { mode: 'disabled' } });
  try {
    await client.connect();
    await allIdle(client, 2);
    assert.is((await errorReplies()) - before, 2 * baseline);
    assert.not.ok(events.some((e) => e.type === 'endpoint.support'));
  } finally {
    await client.close();
  }
});

test("RESP2 with mode 'enabled' is a configuration error at construction", () => {
  assert.throws(
    () => createMaintClient({ host: server.host, port: server.port, protocol: 2, maintNotifications: { mode: 'enabled' } }),
    (error: unknown) => error instanceof ConfigError && /protocol/.test(error.message),
  );
});

test('RESP2 with the default auto mode works and sends no opt-in', async () => {
  const baseline = await baselineErrorsPerConnection();
  const before = await errorReplies();
  const { client } = clientFor(server, { poolSize: 1, protocol: 2 });
  await client.connect();
  try {
    assert.is(await client.call('HSET', 'h', 'f', 'v'), 1);
    assert.equal(await client.call('HGETALL', 'h'), ['f', 'v'], 'RESP2 maps arrive as flat arrays');
    assert.is((await errorReplies()) - before, baseline);
  } finally {
    await client.close();
  }
});

test.run();
