/**
 * `npm run bench`: hitless against node-redis and ioredis on the same redis-server, interleaved
 * (A, B, C, A, B, C …) and repeated; reports the median and the spread of each, as JSON lines
 * and a markdown table with ratios. Each measurement runs in its own process (`import`: a plain
 * node process that only imports the package).
 *
 *   node --import tsx scripts/bench.ts [--rounds 3] [--seconds 2] [--only concurrent,batch100]
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { startRedisServer } from '../src/simulator/redis-process.js';
import { CLIENTS, type ClientName } from './bench/adapters.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '2' }, only: { type: 'string' } } });
const rounds = Number(values.rounds);
const seconds = values.seconds;
const WORKLOADS: Record<string, { metric: string; better: 'higher' | 'lower'; unit: string }> = {
  sequential: { metric: 'p50', better: 'lower', unit: 'ms p50' },
  concurrent: { metric: 'opsPerSec', better: 'higher', unit: 'ops/s' },
  batch100: { metric: 'opsPerSec', better: 'higher', unit: 'ops/s' },
  multi100: { metric: 'opsPerSec', better: 'higher', unit: 'ops/s' },
  value1k: { metric: 'opsPerSec', better: 'higher', unit: 'ops/s' },
  value100k: { metric: 'opsPerSec', better: 'higher', unit: 'ops/s' },
  import: { metric: 'importMs', better: 'lower', unit: 'ms' },
  connect: { metric: 'p50', better: 'lower', unit: 'ms p50' },
  'connect-cold': { metric: 'coldMs', better: 'lower', unit: 'ms, first in a process' },
  'idle-memory': { metric: 'rssKbPerConnection', better: 'lower', unit: 'KB RSS/conn' },
  'idle-heap': { metric: 'heapKbPerConnection', better: 'lower', unit: 'KB heap/conn' },
};
/** Workloads whose numbers come from another workload's run. */
const DERIVED: Record<string, string> = { 'idle-heap': 'idle-memory', 'connect-cold': 'connect' };
const workloads = values.only ? values.only.split(',') : Object.keys(WORKLOADS);
const runWorkloads = [...new Set(workloads.map((w) => DERIVED[w] ?? w))];

function runOne(client: ClientName, workload: string, port: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const args = workload === 'import' ? ['scripts/bench/import-time.mjs', client] : ['--expose-gc', '--import', 'tsx', 'scripts/bench/run-one.ts', client, workload, String(port), seconds];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${client} ${workload} exited with ${code}: ${out}`));
      resolve(JSON.parse(line));
    });
  });
}

const server = await startRedisServer({ args: ['--maxclients', '20000'] });
const results = new Map<string, Array<Record<string, number>>>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const workload of runWorkloads) {
      for (const client of CLIENTS) {
        const result = await runOne(client, workload, server.port);
        const key = `${workload}|${client}`;
        (results.get(key) ?? results.set(key, []).get(key)!).push(result);
        console.log(JSON.stringify({ bench: 'client', round, ...result }));
      }
    }
  }
} finally {
  await server.stop();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (x: number) => (x >= 1000 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(1) : x.toFixed(2));
console.log(`\n${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, node ${process.version}, ${rounds} rounds × ${seconds} s, medians (min–max)\n`);
console.log(`| workload | ${CLIENTS.join(' | ')} | hitless vs node-redis-no-timeout | hitless vs ioredis-auto |`);
console.log(`|---|${CLIENTS.map(() => '---').join('|')}|---|---|`);
for (const workload of workloads) {
  const spec = WORKLOADS[workload]!;
  const cell = (client: ClientName) => {
    const xs = (results.get(`${DERIVED[workload] ?? workload}|${client}`) ?? []).map((r) => r[spec.metric] ?? NaN);
    return { median: median(xs), text: `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})` };
  };
  const ratio = (peer: ClientName) => {
    const ours = cell('hitless').median;
    const theirs = cell(peer).median;
    const r = spec.better === 'higher' ? ours / theirs : theirs / ours;
    return `${r.toFixed(2)}×`;
  };
  console.log(`| ${workload} (${spec.unit}) | ${CLIENTS.map((c) => cell(c).text).join(' | ')} | ${ratio('node-redis-no-timeout')} | ${ratio('ioredis-auto')} |`);
}
const cpuRows = workloads.filter((w) => results.get(`${w}|hitless`)?.[0]?.['cpuUsPerOp'] !== undefined);
if (cpuRows.length > 0) {
  console.log(`\nCPU µs per command (user+system, median)\n`);
  console.log(`| workload | ${CLIENTS.join(' | ')} |`);
  console.log(`|---|${CLIENTS.map(() => '---').join('|')}|`);
  for (const workload of cpuRows) {
    console.log(`| ${workload} | ${CLIENTS.map((c) => fmt(median((results.get(`${workload}|${c}`) ?? []).map((r) => r['cpuUsPerOp'] ?? NaN)))).join(' | ')} |`);
  }
}
