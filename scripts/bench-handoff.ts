/**
 * Handoff drill benchmark: 50 callers doing INCR/GET through the simulator while it runs
 * migrate, failover and bind. Reports, per action: failed commands, command latency (p50, p99,
 * max) during the action versus steady state, and handoff durations (median, max).
 *
 *   node --import tsx scripts/bench-handoff.ts [--pool 4] [--callers 50] [--time 5] [--client hitless|node-redis]
 *
 * `--client node-redis` runs the same drill with node-redis (RESP3, maintNotifications
 * 'enabled', one connection), the peer that also implements maintenance notifications.
 */
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { createMaintClient, type LifecycleEvent } from '../src/index.js';
import { createMaintSimulator } from '../src/simulator/index.js';

const { values } = parseArgs({ options: { pool: { type: 'string', default: '4' }, callers: { type: 'string', default: '50' }, time: { type: 'string', default: '5' }, client: { type: 'string', default: 'hitless' } } });
const poolSize = Number(values.pool);
const callers = Number(values.callers);
const timeS = Number(values.time);

const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
const [host, port] = (sim.endpoints[0] as string).split(':') as [string, string];
const events: LifecycleEvent[] = [];
interface DrillClient {
  incr(key: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}
async function connect(): Promise<DrillClient> {
  if (values.client === 'node-redis') {
    const peer = createClient({ socket: { host, port: Number(port) }, RESP: 3, maintNotifications: 'enabled', maintEndpointType: 'internal-ip', maintRelaxedCommandTimeout: 5000 });
    peer.on('error', () => {});
    await peer.connect();
    return { incr: (key) => peer.incr(key), get: (key) => peer.get(key), close: async () => void (await peer.close()) };
  }
  const ours = createMaintClient({ host, port: Number(port), poolSize, commandTimeout: 1000, maintNotifications: { endpointType: 'internal-ip', relaxedTimeout: 5000 } });
  ours.events$.subscribe((event) => events.push(event));
  await ours.connect();
  return ours;
}
const client = await connect();

// Samples in typed arrays: a million small objects would make GC pauses show up as command latency.
const MAX_SAMPLES = 20_000_000;
const startedAt = new Float64Array(MAX_SAMPLES);
const tookMs = new Float32Array(MAX_SAMPLES);
let sampleCount = 0;
let failures = 0;
let running = true;
const loop = async (id: number) => {
  for (let n = 0; running; n++) {
    const started = performance.now();
    try {
      if (n % 5 === 4) await client.get(`bench:${id}`);
      else await client.incr(`bench:${id}`);
      if (sampleCount < MAX_SAMPLES) {
        startedAt[sampleCount] = started;
        tookMs[sampleCount++] = performance.now() - started;
      }
    } catch {
      failures++;
    }
  }
};
const loops = Array.from({ length: callers }, (_, i) => loop(i));

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
/** Commands in flight at any moment of [from, to). */
function window(from: number, to: number) {
  const ms: number[] = [];
  for (let i = 0; i < sampleCount; i++) {
    const at = startedAt[i] as number;
    const took = tookMs[i] as number;
    if (at < to && at + took >= from) ms.push(took);
  }
  ms.sort((a, b) => a - b);
  return { seconds: (to - from) / 1000, commands: ms.length, p50: pct(ms, 50), p99: pct(ms, 99), max: ms[ms.length - 1] ?? 0 };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
await pause(1000);
const steadyFrom = performance.now();
await pause(2000);
const windows: Array<{ action: string; from: number; to: number; failed: number; handoffs: number[] }> = [{ action: 'steady', from: steadyFrom, to: performance.now(), failed: failures, handoffs: [] }];
const actions = [
  { type: 'migrate', parameters: { time_s: timeS, duration_s: timeS / 2, delay_ms: 50 } },
  { type: 'failover', parameters: { time_s: timeS } },
  { type: 'bind', parameters: { time_s: timeS } },
] as const;
for (const action of actions) {
  const failedBefore = failures;
  const eventsBefore = events.length;
  const from = performance.now();
  await sim.run(action);
  const to = performance.now();
  // Let the commands the action held finish before the next one starts.
  await pause(1000);
  const handoffs = events.slice(eventsBefore).flatMap((e) => (e.type === 'handoff.succeeded' ? [e.durationMs] : [])).sort((a, b) => a - b);
  windows.push({ action: action.type, from, to, failed: failures - failedBefore, handoffs });
}
running = false;
await Promise.all(loops);
await client.close();
await sim.close();

// Computed once the load has stopped, so that commands still in flight when an action ended count.
const rows = windows.map((w) => ({
  action: w.action,
  ...window(w.from, w.to),
  failed: w.failed,
  ...(w.action === 'steady' ? {} : { handoffs: w.handoffs.length, handoffMedianMs: pct(w.handoffs, 50), handoffMaxMs: w.handoffs[w.handoffs.length - 1] ?? 0 }),
}));

const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v ?? ''));
console.log(`handoff drill: ${values.client}${values.client === 'hitless' ? `, pool ${poolSize}` : ''}, ${callers} callers, time_s ${timeS}, node ${process.version}`);
console.log('| action | seconds | commands | failed | p50 ms | p99 ms | max ms | handoffs | handoff median ms | handoff max ms |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(`| ${row.action} | ${fmt(row.seconds)} | ${fmt(row.commands)} | ${fmt(row.failed)} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${fmt(row.max)} | ${fmt(row.handoffs)} | ${fmt(row.handoffMedianMs)} | ${fmt(row.handoffMaxMs)} |`);
}
for (const row of rows) console.log(JSON.stringify({ bench: 'handoff', client: values.client, poolSize, callers, ...row }));
