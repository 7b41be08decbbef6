/**
 * Client-side cache benchmark: GET latency of a cache hit versus a round trip to a local
 * redis-server (loopback), one caller awaiting each GET, then 50 callers at once.
 *
 *   node --import tsx scripts/bench-cache.ts [--count 20000]
 */
import { parseArgs } from 'node:util';
import { createMaintClient, type MaintClient } from '../src/index.js';
import { startRedisServer } from '../src/simulator/redis-process.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '20000' } } });
const count = Number(values.count);

const server = await startRedisServer();
const cached = createMaintClient({ host: server.host, port: server.port, poolSize: 1, clientSideCache: { maxEntries: 10_000 } });
const plain = createMaintClient({ host: server.host, port: server.port, poolSize: 1 });

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

async function sequential(client: MaintClient): Promise<{ p50: number; p99: number; opsPerS: number }> {
  const samples = new Float64Array(count);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await client.get(`bench:${i % 100}`);
    samples[i] = performance.now() - t;
  }
  const elapsed = performance.now() - started;
  samples.sort();
  return { p50: percentile(samples, 0.5) * 1000, p99: percentile(samples, 0.99) * 1000, opsPerS: (count / elapsed) * 1000 };
}

async function concurrent(client: MaintClient, callers = 50): Promise<number> {
  const per = Math.ceil(count / callers);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      for (let i = 0; i < per; i++) await client.get(`bench:${(c + i) % 100}`);
    }),
  );
  return ((per * callers) / (performance.now() - started)) * 1000;
}

try {
  await Promise.all([cached.connect(), plain.connect()]);
  for (let i = 0; i < 100; i++) await plain.set(`bench:${i}`, `value-${i}`.padEnd(64, '.'));
  for (let i = 0; i < 100; i++) await cached.get(`bench:${i}`);
  // Warm-up of both paths before measuring.
  await sequential(cached);
  await sequential(plain);
  const rows = [
    ['cache hit, sequential', await sequential(cached)],
    ['round trip, sequential', await sequential(plain)],
  ] as const;
  const hitConcurrent = await concurrent(cached);
  const tripConcurrent = await concurrent(plain);
  console.log(`GET, ${count} calls, value 64 B, redis on loopback (${process.version})`);
  for (const [name, r] of rows) console.log(`${name.padEnd(24)} p50 ${r.p50.toFixed(1).padStart(6)} µs   p99 ${r.p99.toFixed(1).padStart(6)} µs   ${Math.round(r.opsPerS).toLocaleString('en').padStart(9)} GET/s`);
  console.log(`${'cache hit, 50 callers'.padEnd(24)} ${Math.round(hitConcurrent).toLocaleString('en').padStart(9)} GET/s`);
  console.log(`${'round trip, 50 callers'.padEnd(24)} ${Math.round(tripConcurrent).toLocaleString('en').padStart(9)} GET/s`);
  console.log('cache stats', JSON.stringify(cached.cacheStats()));
} finally {
  await cached.close();
  await plain.close();
  await server.stop();
}
