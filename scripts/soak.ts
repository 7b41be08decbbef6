/**
 * `npm run soak -- --seconds N --seed S`: a mixed workload (INCR with acknowledgement counting,
 * 100 KB values with checksums, MULTI, BLPOP consumers of numbered jobs) through a seeded random
 * sequence of simulator actions — announced maintenance (migrate, failover, bind with duplicated
 * or malformed notifications, a dropped closing notification, refused or stalled targets) and
 * unannounced faults (latency, cuts, black holes) — checking the invariants as it goes and at the
 * end: no acknowledged write lost or doubled, every value intact, every job at most once (exactly
 * once unless a BLPOP failed typed after it was sent), no error outside unannounced faults (and
 * only typed ones there), heap and open handles bounded, no crash. Prints the seed to replay.
 */
import { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createMaintClient, HitlessError, type MaintClient } from '../src/index.js';
import { createMaintSimulator, type ActionRequest, type MaintSimulator } from '../src/simulator/index.js';
import { seededRandom } from './seeded-random.js';

export interface SoakOptions {
  seconds: number;
  seed: number;
  log?: (line: string) => void;
  /** The client's commandTimeout (and connectTimeout), default 500 ms; a test on a busy machine gives more. */
  commandTimeout?: number;
}

export interface SoakReport {
  seed: number;
  seconds: number;
  actions: Record<string, number>;
  acknowledged: { incr: number; values: number; multi: number; jobsPushed: number; jobsConsumed: number };
  /** Typed failures during (or just after) unannounced faults, by code. */
  faultErrors: Record<string, number>;
  heapStartMb: number;
  heapMaxMb: number;
  handlesMax: number;
  violations: string[];
}


interface Step {
  name: string;
  announced: boolean;
  action: ActionRequest;
}

const STEPS: Step[] = [
  { name: 'migrate', announced: true, action: { type: 'migrate', parameters: { time_s: 1, duration_s: 0.5, delay_ms: 300 } } },
  { name: 'migrate-drop-closing', announced: true, action: { type: 'migrate', parameters: { time_s: 1, duration_s: 0.3, delay_ms: 100, drop_closing: true } } },
  { name: 'failover', announced: true, action: { type: 'failover', parameters: { time_s: 1 } } },
  { name: 'bind', announced: true, action: { type: 'bind', parameters: { time_s: 1.2 } } },
  { name: 'bind-duplicate', announced: true, action: { type: 'bind', parameters: { time_s: 1.2, duplicate: true } } },
  { name: 'bind-malformed', announced: true, action: { type: 'bind', parameters: { time_s: 1.2, malformed: true } } },
  { name: 'bind-refused-target', announced: true, action: { type: 'bind', parameters: { time_s: 2, refuse_target_s: 0.5 } } },
  { name: 'bind-stalled-target', announced: true, action: { type: 'bind', parameters: { time_s: 2, stall_target_s: 0.3 } } },
  // Latency under the command timeout is not announced but must cost nothing.
  { name: 'latency', announced: true, action: { type: 'latency', parameters: { delay_ms: 100, duration_s: 1 } } },
  { name: 'cut', announced: false, action: { type: 'cut', parameters: { timeout_s: 2 } } },
  { name: 'blackhole', announced: false, action: { type: 'blackhole', parameters: { duration_s: 0.8 } } },
];

/** Failures this long after an unannounced fault ended are still its doing (reconnects, deadlines). */
const FAULT_GRACE_MS = 3000;
const VALUE_BYTES = 100 * 1024;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const random = seededRandom(options.seed);
  const log = options.log ?? (() => {});
  const report: SoakReport = {
    seed: options.seed,
    seconds: options.seconds,
    actions: {},
    acknowledged: { incr: 0, values: 0, multi: 0, jobsPushed: 0, jobsConsumed: 0 },
    faultErrors: {},
    heapStartMb: process.memoryUsage().heapUsed / 1e6,
    heapMaxMb: 0,
    handlesMax: 0,
    violations: [],
  };
  const violation = (text: string) => {
    if (report.violations.length < 50) report.violations.push(text);
  };
  const onCrash = (error: unknown) => violation(`process-level error: ${String(error)}`);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  /** The step running now (or the last one), so that a violation says where it happened. */
  let current = 'start';
  let faultActive = 0;
  let faultEndedAt = -Infinity;
  const inFaultWindow = () => faultActive > 0 || Date.now() - faultEndedAt < FAULT_GRACE_MS;
  const failed = (what: string, error: unknown): boolean => {
    if (!(error instanceof HitlessError)) {
      violation(`${what}: untyped error ${String(error)}`);
      return error !== null;
    }
    if (inFaultWindow()) report.faultErrors[error.code] = (report.faultErrors[error.code] ?? 0) + 1;
    else violation(`${new Date().toISOString()} during ${current}: ${what}: ${error.code} outside an unannounced fault: ${error.message}`);
    return error.sent;
  };

  let sim: MaintSimulator | undefined;
  let client: MaintClient | undefined;
  let running = true;
  const sampler = setInterval(() => {
    report.heapMaxMb = Math.max(report.heapMaxMb, process.memoryUsage().heapUsed / 1e6);
    report.handlesMax = Math.max(report.handlesMax, process.getActiveResourcesInfo().length);
  }, 250);
  try {
    sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
    const [host, port] = (sim.endpoints[0] as string).split(':');
    client = createMaintClient({
      host: host as string,
      port: Number(port),
      poolSize: 4,
      commandTimeout: options.commandTimeout ?? 500,
      connectTimeout: options.commandTimeout ?? 500,
      maintNotifications: { endpointType: 'internal-ip', relaxedTimeout: 2500, handoffTimeout: 3000 },
    });
    await client.connect();
    const c = client;

    const incrAcked = new Map<string, number>();
    const incrMaybe = new Map<string, number>();
    const incrWorker = async (id: number) => {
      const key = `soak:n:${id}`;
      while (running) {
        try {
          await c.incr(key);
          incrAcked.set(key, (incrAcked.get(key) ?? 0) + 1);
          report.acknowledged.incr++;
        } catch (error) {
          if (failed('INCR', error)) incrMaybe.set(key, (incrMaybe.get(key) ?? 0) + 1);
          await pause(10);
        }
      }
    };
    const valueWorker = async (id: number) => {
      let n = 0;
      while (running) {
        const key = `soak:v:${id}:${n++ % 4}`;
        const payload = randomBytes(VALUE_BYTES * 0.75).toString('base64');
        const value = `${createHash('sha1').update(payload).digest('hex')}:${payload}`;
        try {
          await c.set(key, value);
          const read = await c.get(key);
          report.acknowledged.values++;
          if (read !== value) violation(`${key}: read back ${read === null ? 'null' : `${read.length} bytes that differ`} after an acknowledged SET`);
        } catch (error) {
          failed('SET/GET', error);
          await pause(10);
        }
      }
    };
    const multiWorker = async (id: number) => {
      while (running) {
        try {
          await c.multi([['INCR', `soak:a:${id}`], ['INCR', `soak:b:${id}`]]);
          report.acknowledged.multi++;
        } catch (error) {
          failed('MULTI', error);
          await pause(10);
        }
      }
    };
    const pushed = new Set<string>();
    const consumed = new Set<string>();
    let popsMaybeLost = 0;
    const producer = async () => {
      let n = 0;
      while (running) {
        const job = String(++n);
        try {
          await c.rpush('soak:jobs', job);
          pushed.add(job);
          report.acknowledged.jobsPushed++;
        } catch (error) {
          if (failed('RPUSH', error)) pushed.add(`?${job}`);
        }
        await pause(5);
      }
    };
    const consumer = async () => {
      while (running) {
        try {
          const got = await c.blpop('soak:jobs', 1);
          if (got === null) continue;
          const job = got[1];
          if (consumed.has(job)) violation(`job ${job} consumed twice`);
          consumed.add(job);
          report.acknowledged.jobsConsumed++;
        } catch (error) {
          if (failed('BLPOP', error)) popsMaybeLost++;
          await pause(10);
        }
      }
    };
    const workers = [
      ...Array.from({ length: 8 }, (_, i) => incrWorker(i)),
      ...Array.from({ length: 2 }, (_, i) => valueWorker(i)),
      ...Array.from({ length: 2 }, (_, i) => multiWorker(i)),
      producer(),
      consumer(),
      consumer(),
    ];

    const endAt = Date.now() + options.seconds * 1000;
    while (Date.now() < endAt - 2500) {
      await pause(300 + Math.floor(random() * 1200));
      const step = STEPS[Math.floor(random() * STEPS.length)] as Step;
      report.actions[step.name] = (report.actions[step.name] ?? 0) + 1;
      log(`${new Date().toISOString()} ${step.name}`);
      current = step.name;
      if (!step.announced) faultActive++;
      try {
        await sim.run(step.action);
      } catch (error) {
        // A cut with no reply to cut in time, e.g. while every socket was reconnecting.
        log(`  ${step.name} did not complete: ${(error as Error).message}`);
      } finally {
        if (!step.announced) {
          faultActive--;
          faultEndedAt = Date.now();
        }
        current = `after ${step.name}`;
      }
    }
    // A quiet end: whatever was in flight settles, then the invariants are read.
    await pause(Math.max(0, endAt - Date.now()));
    running = false;
    await Promise.all(workers);
    for (const [key, acked] of incrAcked) {
      const value = Number((await c.get(key)) ?? 0);
      const maybe = incrMaybe.get(key) ?? 0;
      if (value < acked) violation(`${key}: ${value} in Redis < ${acked} acknowledged (a write lost)`);
      if (value > acked + maybe) violation(`${key}: ${value} in Redis > ${acked} acknowledged + ${maybe} uncertain (a write doubled)`);
    }
    for (let id = 0; id < 2; id++) {
      const [a, b] = [await c.get(`soak:a:${id}`), await c.get(`soak:b:${id}`)];
      if (a !== b) violation(`MULTI ${id}: a=${a} b=${b} (a transaction applied in part)`);
    }
    const left = new Set((await c.lrange('soak:jobs', 0, -1)) as string[]);
    let lost = 0;
    for (const job of pushed) if (!job.startsWith('?') && !consumed.has(job) && !left.has(job)) lost++;
    if (lost > popsMaybeLost) violation(`${lost} acknowledged jobs neither consumed nor queued (only ${popsMaybeLost} BLPOPs failed after being sent)`);
    if (report.heapMaxMb - report.heapStartMb > 200) violation(`heap grew from ${report.heapStartMb.toFixed(0)} to ${report.heapMaxMb.toFixed(0)} MB`);
    if (report.handlesMax > 300) violation(`${report.handlesMax} open handles`);
  } catch (error) {
    violation(`the soak itself failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    running = false;
    clearInterval(sampler);
    await client?.close();
    await sim?.close();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  return report;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string, fallback: number) => {
    const index = args.indexOf(`--${name}`);
    const parsed = index === -1 ? fallback : Number(args[index + 1]);
    if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer`);
    return parsed;
  };
  const seconds = value('seconds', 60);
  const seed = value('seed', Math.floor(Math.random() * 2 ** 31));
  console.log(`soak: ${seconds} s, seed ${seed}`);
  const report = await runSoak({ seconds, seed, log: (line) => console.log(line) });
  console.log(JSON.stringify(report, null, 2));
  if (report.violations.length > 0) {
    console.log(`FAILED. Replay: npm run soak -- --seconds ${seconds} --seed ${seed}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
