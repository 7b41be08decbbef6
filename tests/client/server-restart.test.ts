import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HitlessError } from '../../src/index.js';
import { startRedis } from '../helpers/redis.js';
import { clientFor, openHandles, until } from '../helpers/client.js';

test('redis-server killed mid-load: typed errors within deadlines, reconnect, later commands succeed, nothing leaked', async () => {
  const handlesBefore = openHandles();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  let server = await startRedis();
  const port = server.port;
  const commandTimeout = 800;
  const { client, events } = clientFor(server, { poolSize: 4, commandTimeout, connectTimeout: 300 });
  await client.connect();

  const outcomes: Array<{ ok: boolean; code?: string; ms: number }> = [];
  let running = true;
  const caller = async (id: number) => {
    while (running) {
      const started = performance.now();
      try {
        await client.incr(`restart:${id}`);
        outcomes.push({ ok: true, ms: performance.now() - started });
      } catch (error) {
        outcomes.push({ ok: false, code: error instanceof HitlessError ? error.code : `untyped:${String(error)}`, ms: performance.now() - started });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  const callers = Array.from({ length: 50 }, (_, i) => caller(i));
  try {
    await until(() => outcomes.length > 2000, 10_000, 'load before the kill');
    await server.kill();
    await until(() => events.some((e) => e.type === 'connection.reconnecting'), 5000, 'reconnecting');
    await until(() => outcomes.some((o) => !o.ok), 5000, 'failed commands while down');
    server = await startRedis({ port });
    const readyBefore = events.filter((e) => e.type === 'connection.ready').length;
    await until(() => events.filter((e) => e.type === 'connection.ready').length >= readyBefore + 4, 10_000, 'all four reconnected');
    const afterRestart = outcomes.length;
    await until(() => outcomes.slice(afterRestart).filter((o) => o.ok).length > 500, 10_000, 'load after the restart');
  } finally {
    running = false;
    await Promise.all(callers);
  }
  try {
    const failures = outcomes.filter((o) => !o.ok);
    assert.ok(failures.length > 0, 'the outage was seen');
    for (const failure of failures) {
      assert.ok(['ERR_CONNECTION_LOST', 'ERR_COMMAND_TIMEOUT'].includes(failure.code ?? ''), `typed error, got ${failure.code}`);
    }
    // Every caller heard back within its own deadline (plus scheduling slack).
    const slowest = Math.max(...outcomes.map((o) => o.ms));
    assert.ok(slowest < commandTimeout + 400, `slowest call took ${slowest.toFixed(0)} ms`);
    assert.is(await client.set('after', 'restart'), 'OK');
    assert.is(await client.get('after'), 'restart');
    assert.ok(events.some((e) => e.type === 'connection.lost'));
  } finally {
    await client.close();
    await server.stop();
    process.off('unhandledRejection', onUnhandled);
  }
  assert.equal(unhandled, []);
  await until(() => openHandles().sockets <= handlesBefore.sockets, 2000, 'sockets to close');
  assert.ok(openHandles().timers <= handlesBefore.timers, 'no timer left behind');
});

test.run();
