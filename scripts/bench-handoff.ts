/**
 * Handoff drill benchmark: 50 callers doing INCR/GET through the simulator while it runs
 * migrate, failover and bind. Reports, per action: failed commands, command latency (p50, p99,
 * max) during the action versus steady state, and handoff durations (median, max).
 *
 *   node --import tsx scripts/bench-handoff.ts [--pool 4] [--callers 50] [--time 5]
 */
import { parseArgs } from 'node:util';
import { createMaintClient, type LifecycleEvent } from '../src/index.js';
import { createMaintSimulator } from '../src/simulator/index.js';

const { values } = parseArgs({ options: { pool: { type: 'string', default: '4' }, callers: { type: 'string', default: '50' }, time: { type: 'string', default: '5' } } });
const poolSize = Number(values.pool);
const callers = Number(values.callers);
const timeS = Number(values.time);

const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
const [host, port] = (sim.endpoints[0] as string).split(':') as [string, string];
const client = createMaintClient({ host, port: Number(port), poolSize, commandTimeout: 1000, maintNotifications: { endpointType: 'internal-ip', relaxedTimeout: 5000 } });
const events: LifecycleEvent[] = [];
client.events$.subscribe((event) => events.push(event));
await client.connect();

type Sample = { at: number; ms: number };
const samples: Sample[] = [];
let failures = 0;
let running = true;
const loop = async (id: number) => {
  for (let n = 0; running; n++) {
    const started = performance.now();
    try {
      if (n % 5 === 4) await client.get(`bench:${id}`);
      else await client.incr(`bench:${id}`);
      samples.push({ at: started, ms: performance.now() - started });
    } catch {
      failures++;
    }
  }
};
const loops = Array.from({ length: callers }, (_, i) => loop(i));

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
/** Commands whose time in flight overlaps [from, to). */
function window(from: number, to: number) {
  const ms = samples.filter((s) => s.at < to && s.at + s.ms >= from).map((s) => s.ms).sort((a, b) => a - b);
  return { seconds: (to - from) / 1000, commands: ms.length, p50: pct(ms, 50), p99: pct(ms, 99), max: ms[ms.length - 1] ?? 0 };
}

await new Promise((resolve) => setTimeout(resolve, 1000));
const steadyFrom = performance.now();
await new Promise((resolve) => setTimeout(resolve, 2000));
const steady = window(steadyFrom, performance.now());
const rows: Array<Record<string, unknown>> = [{ action: 'steady', ...steady, failed: failures }];
const actions = [
  { type: 'migrate', parameters: { time_s: timeS, duration_s: timeS / 2, delay_ms: 50 } },
  { type: 'failover', parameters: { time_s: timeS } },
  { type: 'bind', parameters: { time_s: timeS } },
] as const;
for (const action of actions) {
  const failedBefore = failures;
  const handoffsBefore = events.length;
  const from = performance.now();
  await sim.run(action);
  const to = performance.now();
  const durations = events.slice(handoffsBefore).flatMap((e) => (e.type === 'handoff.succeeded' ? [e.durationMs] : [])).sort((a, b) => a - b);
  rows.push({ action: action.type, ...window(from, to), failed: failures - failedBefore, handoffs: durations.length, handoffMedianMs: pct(durations, 50), handoffMaxMs: durations[durations.length - 1] ?? 0 });
}
running = false;
await Promise.all(loops);
await client.close();
await sim.close();

const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v ?? ''));
console.log(`handoff drill: pool ${poolSize}, ${callers} callers, time_s ${timeS}, node ${process.version}`);
console.log('| action | seconds | commands | failed | p50 ms | p99 ms | max ms | handoffs | handoff median ms | handoff max ms |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(`| ${row.action} | ${fmt(row.seconds)} | ${fmt(row.commands)} | ${fmt(row.failed)} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${fmt(row.max)} | ${fmt(row.handoffs)} | ${fmt(row.handoffMedianMs)} | ${fmt(row.handoffMaxMs)} |`);
}
for (const row of rows) console.log(JSON.stringify({ bench: 'handoff', poolSize, callers, ...row }));
