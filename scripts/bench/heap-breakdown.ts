/**
 * Where an idle client's heap goes: makes `--clients` clients of `--pool` connections each (the
 * built package, as `npm run bench` measures it), takes a heap snapshot before, after
 * construction and after connecting, and prints the bytes per client by object kind for each
 * step (the biggest first). Build first (`npm run build`).
 *
 *   node --expose-gc --import tsx scripts/bench/heap-breakdown.ts [--clients 1000] [--pool 1] [--top 40]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import type * as Hitless from '../../src/index.js';
import { startRedisServer } from '../../src/simulator/redis-process.js';

const { createMaintClient } = (await import(new URL('../../dist/esm/index.js', import.meta.url).href)) as typeof Hitless;
const { values } = parseArgs({ options: { clients: { type: 'string', default: '1000' }, pool: { type: 'string', default: '1' }, top: { type: 'string', default: '40' } } });
const count = Number(values.clients);
const poolSize = Number(values.pool);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

type Totals = Map<string, { count: number; size: number }>;

/** Self size and count by `type:name`, strings and numbers lumped together. */
function totals(path: string): Totals {
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt, width] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size'), fields.length];
  const out: Totals = new Map();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt] as number] as string;
    const name = /string/.test(type) ? '(strings)' : /number/.test(type) ? '(numbers)' : type === 'code' ? '(compiled code)' : (snapshot.strings[snapshot.nodes[i + nameAt] as number] ?? '').slice(0, 60);
    const key = `${type}:${name}`;
    const entry = out.get(key) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += snapshot.nodes[i + sizeAt] as number;
    out.set(key, entry);
  }
  return out;
}

function report(title: string, before: Totals, after: Totals): void {
  const rows: Array<[string, number, number]> = [];
  for (const [key, { count: n, size }] of after) {
    const old = before.get(key) ?? { count: 0, size: 0 };
    if (size !== old.size) rows.push([key, (n - old.count) / count, (size - old.size) / count]);
  }
  rows.sort((a, b) => b[2] - a[2]);
  const total = rows.reduce((sum, row) => sum + row[2], 0);
  console.log(`\n${title}: ${(total / 1024).toFixed(2)} KB per client (bytes, objects per client, kind)`);
  for (const [key, objects, bytes] of rows.slice(0, Number(values.top))) console.log(`${bytes.toFixed(0).padStart(7)} ${objects.toFixed(2).padStart(7)}  ${key}`);
}

const dir = mkdtempSync(join(tmpdir(), 'hitless-heap-'));
const server = await startRedisServer();
const options = { host: server.host, port: server.port, poolSize };
try {
  // Warm up: the code compiled for the first client is not part of any client.
  const warm = createMaintClient(options);
  await warm.connect();
  await warm.get('heap:probe');
  await warm.close();
  const snap = (name: string) => {
    for (let i = 0; i < 3; i++) gc();
    return writeHeapSnapshot(join(dir, `${name}.heapsnapshot`));
  };
  const empty = snap('empty');
  const clients = Array.from({ length: count }, () => createMaintClient(options));
  const constructed = snap('constructed');
  for (const client of clients) await client.connect();
  await Promise.all(clients.map((client) => client.get('heap:probe')));
  // connect() resolves with the first connection; the rest of each pool opens after it.
  const idle = (client: (typeof clients)[number]) => client.state().connections.filter((c) => c.state === 'idle').length;
  while (clients.some((client) => idle(client) < poolSize)) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const connected = snap('connected');
  const [e, c, k] = [totals(empty), totals(constructed), totals(connected)];
  report('constructed (not connected)', e, c);
  report(`connecting ${poolSize} connection(s) and one GET`, c, k);
  report('in all', e, k);
  for (const client of clients) await client.close();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
