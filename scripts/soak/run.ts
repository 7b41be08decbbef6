/**
 * `runSoak`: a spawned simulator, one client per endpoint type a MOVING can be written in, a mixed
 * workload (workloads/) and a seeded random sequence of simulator actions (steps.ts), checking
 * the invariants as it goes and at the end: no acknowledged write lost or doubled, every value
 * intact, no MULTI applied in part, every job and every message exactly once (see their files for
 * the allowances under unannounced faults), no error outside unannounced faults (and only typed
 * ones there), heap and open handles bounded, no crash, and the run ends on time.
 */
import { createMaintClient, type MaintClient } from '../../src/index.js';
import { createMaintSimulator, type MaintSimulator } from '../../src/simulator/index.js';
import { seededRandom } from '../seeded-random.js';
import { pause, SoakContext } from './context.js';
import { logEvents } from './events-log.js';
import { emptyReport, type SoakReport } from './report.js';
import { STEPS, type Step } from './steps.js';
import { counters } from './workloads/counters.js';
import { jobs } from './workloads/jobs.js';
import { messages } from './workloads/messages.js';
import { transactions } from './workloads/transactions.js';
import { values } from './workloads/values.js';
import type { Workload } from './workloads/workload.js';

export type { SoakReport };

export interface SoakOptions {
  seconds: number;
  seed: number;
  log?: (line: string) => void;
  /** The clients' commandTimeout (and connectTimeout), default 500 ms; a test on a busy machine gives more. */
  commandTimeout?: number;
}

/** The main client asks for internal IPs; these others, with a small INCR load each, cover the other forms. */
const OTHER_ENDPOINT_TYPES = ['internal-fqdn', 'external-ip', 'external-fqdn', 'none'] as const;
/** Past this the run is a failure (a hang): seconds + this. */
const OVERRUN_MS = 8000;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const startedAt = Date.now();
  const random = seededRandom(options.seed);
  const log = options.log ?? (() => {});
  const report = emptyReport(options.seed, options.seconds);
  const ctx = new SoakContext(report);
  const onCrash = (error: unknown) => ctx.violation(`process-level error: ${String(error)}`);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  let sim: MaintSimulator | undefined;
  const clients: MaintClient[] = [];
  const sampler = setInterval(() => {
    report.heapMaxMb = Math.max(report.heapMaxMb, process.memoryUsage().heapUsed / 1e6);
    report.handlesMax = Math.max(report.handlesMax, process.getActiveResourcesInfo().length);
  }, 250);
  try {
    sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
    const [host, port] = (sim.endpoints[0] as string).split(':');
    const timeout = options.commandTimeout ?? 500;
    const open = async (endpointType: 'internal-ip' | (typeof OTHER_ENDPOINT_TYPES)[number], poolSize: number) => {
      const client = createMaintClient({
        host: host as string,
        port: Number(port),
        poolSize,
        commandTimeout: timeout,
        connectTimeout: timeout,
        maintNotifications: { endpointType, relaxedTimeout: 2500, handoffTimeout: 3000 },
      });
      clients.push(client);
      logEvents(client, endpointType, log);
      await client.connect();
      return client;
    };
    const main = await open('internal-ip', 4);
    const workloads: Workload[] = [counters(ctx, main, 'internal-ip', 8), values(ctx, main, 2), transactions(ctx, main, 2), jobs(ctx, main, 2), messages(ctx, main)];
    for (const endpointType of OTHER_ENDPOINT_TYPES) workloads.push(counters(ctx, await open(endpointType, 2), endpointType, 2));
    for (const workload of workloads) await workload.start?.();
    const workers = workloads.flatMap((workload) => workload.workers.map((worker) => worker()));

    const endAt = Date.now() + options.seconds * 1000;
    while (Date.now() < endAt - 2500) {
      await pause(300 + Math.floor(random() * 1200));
      const step = STEPS[Math.floor(random() * STEPS.length)] as Step;
      report.actions[step.name] = (report.actions[step.name] ?? 0) + 1;
      log(`${new Date().toISOString()} ${step.name}`);
      ctx.current = step.name;
      if (!step.announced) ctx.faultBegan();
      try {
        await sim.run(step.action);
      } catch (error) {
        // A cut with no reply to cut in time, e.g. while every socket was reconnecting.
        log(`  ${step.name} did not complete: ${(error as Error).message}`);
      } finally {
        if (!step.announced) ctx.faultEnded();
        ctx.current = `after ${step.name}`;
      }
    }
    // A quiet end: whatever was in flight settles, then the invariants are read.
    await pause(Math.max(0, endAt - Date.now()));
    ctx.running = false;
    await Promise.all(workers);
    for (const workload of workloads) await workload.check();
    report.heapEndMb = process.memoryUsage().heapUsed / 1e6;
    if (report.heapMaxMb - report.heapStartMb > 200) ctx.violation(`heap grew from ${report.heapStartMb.toFixed(0)} to ${report.heapMaxMb.toFixed(0)} MB`);
    if (report.handlesMax > 300) ctx.violation(`${report.handlesMax} open handles`);
  } catch (error) {
    ctx.violation(`the soak itself failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    ctx.running = false;
    clearInterval(sampler);
    for (const client of clients) await client.close();
    await sim?.close();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  report.elapsedS = (Date.now() - startedAt) / 1000;
  if (Date.now() - startedAt > options.seconds * 1000 + OVERRUN_MS) ctx.violation(`the run took ${report.elapsedS.toFixed(1)} s for ${options.seconds} s (a hang)`);
  return report;
}
