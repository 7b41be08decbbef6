import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createMaintClient, type MaintClient } from '../../src/index.js';
import { startRedis } from '../helpers/redis.js';
import { clientFor, until } from '../helpers/client.js';

const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as Error);

test('hits and misses match what was read; a second client\'s write invalidates within milliseconds (maintenance disabled)', async () => {
  const server = await startRedis();
  const { client } = clientFor(server, { poolSize: 2, clientSideCache: { maxEntries: 100, ttlMs: 60_000 }, maintNotifications: { mode: 'disabled' } });
  const { client: writer } = clientFor(server, { poolSize: 1 });
  try {
    await client.connect();
    await writer.connect();
    await writer.set('user:1', 'ada');
    assert.is(await client.get('user:1'), 'ada');
    assert.is(await client.get('user:1'), 'ada');
    assert.is(await client.call('GET', 'user:1'), 'ada');
    assert.is(await client.get('nobody'), null);
    assert.is(await client.get('nobody'), null, 'a missing key is cached too (tracked like any read)');
    assert.equal(client.cacheStats(), { hits: 3, misses: 2, invalidations: 0, evictions: 0, size: 2, flushes: 0 });
    const written = performance.now();
    await writer.set('user:1', 'grace');
    await until(() => client.cacheStats().invalidations === 1, 1000, 'the invalidation push');
    const latencyMs = performance.now() - written;
    assert.ok(latencyMs < 50, `invalidated ${latencyMs.toFixed(1)} ms after the write was acknowledged`);
    assert.is(await client.get('user:1'), 'grace');
    assert.is(client.cacheStats().misses, 3);
    // Uncached: other commands, binary reads, writes through the cached client itself.
    assert.is(((await client.getBuffer('user:1')) as Buffer).toString(), 'grace');
    await client.set('user:1', 'linus');
    await until(() => client.cacheStats().invalidations >= 2, 1000, 'its own write invalidates too');
    assert.is(await client.get('user:1'), 'linus');
    await writer.call('FLUSHALL');
    await until(() => client.cacheStats().flushes >= 1, 1000, 'FLUSHALL flushes the cache');
    assert.is(await client.get('user:1'), null);
  } finally {
    await client.close();
    await writer.close();
    await server.stop();
  }
});

test('every pooled connection tracks (CLIENT TRACKING ON in its handshake); CLIENT TRACKING through call() is refused', async () => {
  const server = await startRedis();
  const { client } = clientFor(server, { poolSize: 3, clientSideCache: {} });
  try {
    await client.connect();
    await until(() => client.state().connections.filter((c) => c.state === 'idle').length === 3, 2000, 'all connected');
    const list = String(await client.call('CLIENT', 'LIST'));
    const lines = list.trim().split('\n');
    assert.is(lines.length, 3);
    for (const line of lines) assert.match(line, /flags=t/, 'tracking on');
    const refused = await failure(client.call('CLIENT', 'TRACKING', 'OFF'));
    assert.match(refused?.message ?? '', /clientSideCache/);
  } finally {
    await client.close();
    await server.stop();
  }
});

test('after a plain redis-server restart the cache was flushed: a key gone with the old data is not served', async () => {
  let server = await startRedis();
  const port = server.port;
  const { client } = clientFor(server, { poolSize: 1, connectTimeout: 300, clientSideCache: {} });
  try {
    await client.connect();
    await client.set('volatile', 'before');
    assert.is(await client.get('volatile'), 'before');
    assert.is(await client.get('volatile'), 'before');
    assert.is(client.cacheStats().hits, 1);
    await server.kill();
    await until(() => client.cacheStats().flushes >= 1, 2000, 'flushed at the loss');
    server = await startRedis({ port });
    await until(() => client.state().connections.every((c) => c.state === 'idle'), 5000, 'reconnected');
    assert.is(await client.get('volatile'), null);
    await client.set('volatile', 'after');
    assert.is(await client.get('volatile'), 'after');
  } finally {
    await client.close();
    await server.stop();
  }
});

test('options: validated with a ConfigError naming the option; RESP2 refused', () => {
  for (const [options, option] of [
    [{ clientSideCache: { maxEntries: 0 } }, 'clientSideCache.maxEntries'],
    [{ clientSideCache: { ttlMs: -1 } }, 'clientSideCache.ttlMs'],
    [{ clientSideCache: { size: 1 } }, 'clientSideCache.size'],
    [{ clientSideCache: true }, 'clientSideCache'],
    [{ clientSideCache: {}, protocol: 2 }, 'clientSideCache'],
  ] as const) {
    let error: unknown;
    try {
      createMaintClient(options as never);
    } catch (caught) {
      error = caught;
    }
    assert.instance(error, ConfigError, option);
    assert.is((error as ConfigError).option, option);
  }
  const client: MaintClient = createMaintClient({});
  assert.equal(client.cacheStats(), { hits: 0, misses: 0, invalidations: 0, evictions: 0, size: 0, flushes: 0 });
});

test.run();
