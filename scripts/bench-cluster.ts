/**
 * `node --import tsx scripts/bench-cluster.ts [--seconds 3] [--rounds 1]`: hitless's cluster client
 * against ioredis `Cluster` (with and without auto-pipelining) and node-redis `createCluster`, on
 * one local 3-primary cluster. Each client runs in its own process: 50 concurrent callers doing
 * INCR/GET over 10 000 keys. Phase "steady": ops/s and client CPU per command. Phase "reshard":
 * the same while a third of the slots move (SETSLOT IMPORTING/MIGRATING, MIGRATE … KEYS, SETSLOT
 * NODE; plain OSS, no notifications): failed commands, p99 and max latency.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { createMaintCluster } from '../src/index.js';
import { spawnCluster, type SpawnedCluster, type SpawnedClusterNode } from '../src/simulator/cluster/spawn-cluster.js';

type ClientName = 'hitless' | 'ioredis' | 'ioredis-auto' | 'node-redis';
const CLIENTS: readonly ClientName[] = ['hitless', 'ioredis', 'ioredis-auto', 'node-redis'];
const CALLERS = 50;
const KEYS = 10_000;

interface Bench {
  incr(key: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

async function connect(name: ClientName, port: number): Promise<Bench> {
  const root = { host: '127.0.0.1', port };
  if (name === 'hitless') {
    const client = createMaintCluster({ rootNodes: [root], poolSize: 1 });
    await client.connect();
    return { incr: (key) => client.incr(key), get: (key) => client.get(key), close: () => client.close() };
  }
  if (name === 'node-redis') {
    const client = createCluster({ rootNodes: [{ socket: root }] });
    client.on('error', () => {});
    await client.connect();
    return { incr: (key) => client.incr(key), get: (key) => client.get(key), close: async () => void (await client.close()) };
  }
  const client = new Cluster([root], { enableAutoPipelining: name === 'ioredis-auto', lazyConnect: true });
  client.on('error', () => {});
  await client.connect();
  return { incr: (key) => client.incr(key), get: (key) => client.get(key), close: async () => void (await client.quit()) };
}

/** The child: runs the load until "stop" arrives on stdin (or `seconds` pass), prints one JSON line. */
async function worker(name: ClientName, port: number, seconds: number): Promise<void> {
  const client = await connect(name, port);
  const latencies: number[] = [];
  let ops = 0;
  let failed = 0;
  const errors = new Map<string, number>();
  let running = true;
  process.stdin.on('data', (chunk) => {
    if (String(chunk).includes('stop')) running = false;
  });
  const timer = setTimeout(() => (running = false), seconds * 1000);
  const cpu = process.cpuUsage();
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      for (let i = caller; running; i += CALLERS) {
        const key = `bench:${(i * 7919) % KEYS}`;
        const start = performance.now();
        try {
          await (i % 5 === 0 ? client.get(key) : client.incr(key));
          ops++;
        } catch (error) {
          failed++;
          const text = String((error as Error).message).slice(0, 60).replace(/\d+/g, 'N');
          errors.set(text, (errors.get(text) ?? 0) + 1);
        }
        latencies.push(performance.now() - start);
      }
    }),
  );
  const elapsed = (performance.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
  clearTimeout(timer);
  await client.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  console.log(
    JSON.stringify({
      client: name,
      opsPerSec: Math.round(ops / elapsed),
      cpuUsPerOp: Number(((used.user + used.system) / Math.max(1, ops + failed)).toFixed(2)),
      failed,
      p50: Number(at(0.5).toFixed(2)),
      p99: Number(at(0.99).toFixed(2)),
      max: Number((latencies.at(-1) ?? 0).toFixed(1)),
      errors: Object.fromEntries(errors),
    }),
  );
  process.exit(0);
}

function run(name: ClientName, port: number, seconds: number, during?: () => Promise<void>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench-cluster.ts', '--worker', name, '--port', String(port), '--seconds', String(seconds)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${name} exited with ${code}: ${out}`));
      else resolve(JSON.parse(line));
    });
    if (during) {
      // Let the client connect and warm up, then move slots; stop the load once they moved.
      setTimeout(() => {
        void during().then(
          () => setTimeout(() => child.stdin.end('stop\n'), 300),
          (error) => {
            child.stdin.end('stop\n');
            reject(error);
          },
        );
      }, 1000);
    } else child.stdin.end();
  });
}

/** Moves `count` slots from the primary that owns the most (it keeps at least 1000) to the next one, key by key in batches. */
async function reshard(cluster: SpawnedCluster, round: number, count: number): Promise<void> {
  const primaries = cluster.primaries;
  const owners = new Map<number, SpawnedClusterNode>();
  for (const row of (await cluster.command(primaries[0] as SpawnedClusterNode, 'CLUSTER', 'SLOTS')) as unknown[][]) {
    const id = String((row[2] as unknown[])[2]);
    const node = primaries.find((p) => p.id === id) as SpawnedClusterNode;
    for (let slot = Number(row[0]); slot <= Number(row[1]); slot++) owners.set(slot, node);
  }
  const owned = (node: SpawnedClusterNode) => [...owners].filter(([, owner]) => owner === node).map(([slot]) => slot);
  const source = [...primaries].sort((a, b) => owned(b).length - owned(a).length)[0] as SpawnedClusterNode;
  const others = primaries.filter((p) => p !== source);
  const destination = others[round % others.length] as SpawnedClusterNode;
  const slots = owned(source).slice(0, Math.min(count, owned(source).length - 1000));
  const work = [...slots];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let slot = work.shift(); slot !== undefined; slot = work.shift()) {
        const text = String(slot);
        await cluster.command(destination, 'CLUSTER', 'SETSLOT', text, 'IMPORTING', source.id);
        await cluster.command(source, 'CLUSTER', 'SETSLOT', text, 'MIGRATING', destination.id);
        for (;;) {
          const keys = (await cluster.command(source, 'CLUSTER', 'GETKEYSINSLOT', text, '50')) as string[];
          if (keys.length === 0) break;
          await cluster.command(source, 'MIGRATE', destination.host, String(destination.port), '', '0', '5000', 'KEYS', ...keys);
        }
        for (const node of [destination, source, ...primaries.filter((p) => p !== source && p !== destination)]) {
          await cluster.command(node, 'CLUSTER', 'SETSLOT', text, 'NODE', destination.id);
        }
      }
    }),
  );
}

const { values } = parseArgs({ options: { worker: { type: 'string' }, port: { type: 'string' }, seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '1' }, slots: { type: 'string', default: '5461' } } });
if (values.worker !== undefined) {
  await worker(values.worker as ClientName, Number(values.port), Number(values.seconds));
} else {
  // A primary that gives away its last slot would turn into a replica of the new owner.
  const cluster = await spawnCluster({ primaries: 3, args: ['--maxclients', '20000', '--cluster-allow-replica-migration', 'no'] });
  const rows: Array<Record<string, unknown>> = [];
  let round = 0;
  try {
    const port = (cluster.primaries[0] as SpawnedClusterNode).port;
    for (let r = 0; r < Number(values.rounds); r++) {
      for (const client of CLIENTS) {
        const steady = await run(client, port, Number(values.seconds));
        console.log(JSON.stringify({ phase: 'steady', ...steady }));
        rows.push({ phase: 'steady', ...steady });
      }
      for (const client of CLIENTS) {
        const during = await run(client, port, 120, () => reshard(cluster, round++, Number(values.slots)));
        console.log(JSON.stringify({ phase: 'reshard', ...during }));
        rows.push({ phase: 'reshard', ...during });
      }
    }
  } finally {
    await cluster.stop();
  }
  console.log('\n| phase | client | ops/s | CPU µs/op | failed | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.phase} | ${row.client} | ${row.opsPerSec} | ${row.cpuUsPerOp} | ${row.failed} | ${row.p50} | ${row.p99} | ${row.max} |`);
  process.exit(0);
}
