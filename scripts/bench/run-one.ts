/**
 * Runs one workload with one client in this process and prints one JSON line. The orchestrator
 * (scripts/bench.ts) starts one process per measurement, so clients never share a heap.
 *   node --import tsx scripts/bench/run-one.ts <client> <workload> <port> [seconds]
 */
import type * as Hitless from '../../src/index.js';

// The built package (what users run), not the sources through the TypeScript loader, which
// adds a name wrapper to every function and so inflates memory and start-up (`npm run bench` builds first).
const { createMaintClient } = (await import(new URL('../../dist/esm/index.js', import.meta.url).href)) as typeof Hitless;
import { connectClient, type BenchClient, type ClientName } from './adapters.js';

const [clientName, workload, portText, secondsText] = process.argv.slice(2) as [ClientName, string, string, string | undefined];
const port = Number(portText);
const seconds = Number(secondsText ?? 2);
const host = '127.0.0.1';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

async function timed(client: BenchClient, callers: number, op: (client: BenchClient, caller: number, i: number) => Promise<unknown>, opsPerCall = 1) {
  // Warm up, then measure for `seconds`.
  const warmUntil = performance.now() + 300;
  await Promise.all(Array.from({ length: callers }, async (_, c) => {
    for (let i = 0; performance.now() < warmUntil; i++) await op(client, c, i);
  }));
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: callers }, async (_, c) => {
    for (let i = 0; performance.now() < until; i++) {
      const t = performance.now();
      await op(client, c, i);
      latencies.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const ops = latencies.length * opsPerCall;
  return {
    opsPerSec: ops / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuUsPerOp: (cpu.user + cpu.system) / ops,
    userUsPerOp: cpu.user / ops,
  };
}

const value1k = 'x'.repeat(1024);
const value100k = 'y'.repeat(100 * 1024);
const batchOf = (n: number, i: number): Array<[string, ...string[]]> => Array.from({ length: n }, (_, j) => (j % 2 === 0 ? ['SET', `b:${j}`, String(i)] : ['GET', `b:${j - 1}`]));

async function main() {
  if (workload === 'connect') {
    // The first connect of this fresh process (what a serverless function or a CLI pays: none of
    // the client's code compiled yet), then 100 more for a p50 that holds still between runs.
    const samples: number[] = [];
    let coldMs = 0;
    for (let i = 0; i <= 100; i++) {
      const t = performance.now();
      const client = await connectClient(clientName, host, port);
      await client.get('connect:probe');
      const ms = performance.now() - t;
      if (i === 0) coldMs = ms;
      else samples.push(ms);
      await client.close();
    }
    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), p99: percentile(samples, 99), coldMs };
  }
  if (workload === 'idle-memory') {
    // 1 000 idle connections: for `hitless`, one client whose pool holds them (how hitless is
    // used); for every other column, 1 000 clients of one connection each.
    const count = 1000;
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const before = process.memoryUsage();
    const clients: BenchClient[] = [];
    if (clientName === 'hitless') {
      const pool = createMaintClient({ host, port, poolSize: count, connectTimeout: 20_000 });
      await pool.connect();
      // connect() resolves with the first connection; the rest open after it.
      const idle = () => pool.state().connections.filter((c) => c.state === 'idle').length;
      while (idle() < count) await new Promise((resolve) => setTimeout(resolve, 20));
      clients.push({ get: (key) => pool.get(key), set: (key, value) => pool.set(key, value), batch: async () => [], transaction: async () => [], close: () => pool.close() });
    } else {
      for (let i = 0; i < count; i++) clients.push(await connectClient(clientName, host, port));
    }
    await Promise.all(clients.map((c) => c.get('idle:probe')));
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const after = process.memoryUsage();
    const result = { rssKbPerConnection: (after.rss - before.rss) / 1024 / count, heapKbPerConnection: (after.heapUsed - before.heapUsed) / 1024 / count };
    for (const client of clients) await client.close();
    return result;
  }
  const client = await connectClient(clientName, host, port);
  try {
    switch (workload) {
      case 'sequential':
        return await timed(client, 1, (c, _, i) => (i % 2 === 0 ? c.set(`s:${i % 100}`, 'v') : c.get(`s:${(i - 1) % 100}`)));
      case 'concurrent':
        return await timed(client, 50, (c, caller, i) => (i % 2 === 0 ? c.set(`c:${caller}`, String(i)) : c.get(`c:${caller}`)));
      case 'batch100':
        return await timed(client, 1, (c, _, i) => c.batch(batchOf(100, i)), 100);
      case 'multi100':
        return await timed(client, 1, (c, _, i) => c.transaction(batchOf(100, i)), 100);
      case 'value1k':
        return await timed(client, 50, (c, caller, i) => (i % 2 === 0 ? c.set(`k1:${caller}`, value1k) : c.get(`k1:${caller}`)));
      case 'value100k':
        return await timed(client, 10, (c, caller, i) => (i % 2 === 0 ? c.set(`k100:${caller}`, value100k) : c.get(`k100:${caller}`)));
      default:
        throw new Error(`unknown workload ${workload}`);
    }
  } finally {
    await client.close();
  }
}

const result = await main();
console.log(JSON.stringify({ client: clientName, workload, ...result }));
