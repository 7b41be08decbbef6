/**
 * One drill, start to finish: a fresh simulator (two spawned redis-servers), a client with the
 * workload, the scripted actions, then everything closed in order (workload, client, simulator)
 * and a summary. Views (terminal, web) attach to the run's Monitor.
 */
import { createMaintSimulator } from '../../src/simulator/index.js';
import type { ClientKind, DemoOptions } from './args.js';
import { connectClient, type DrillClient } from './clients.js';
import { planDrill, runDrill, type DrillOutcome } from './drill.js';
import { Monitor, type RunSummary } from './monitor.js';
import { WorkloadStats } from './stats.js';
import { startWorkload, type Workload } from './workload.js';

/** Attaches views to a run's monitor; returns what detaches them. */
export type Attach = (monitor: Monitor) => () => void;

export async function runDemo(options: DemoOptions, kind: ClientKind, attach: Attach, signal: AbortSignal): Promise<RunSummary> {
  const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
  const closeSim = () => void sim.close().catch(() => undefined);
  // Ctrl-C: closing the simulator ends the action in progress; the drill then stops.
  signal.addEventListener('abort', closeSim, { once: true });
  const stats = new WorkloadStats();
  const monitor = new Monitor(options, kind, sim.endpoints, stats);
  const detach = attach(monitor);
  let client: DrillClient | null = null;
  let workload: Workload | null = null;
  const started = performance.now();
  try {
    const [host, port] = (sim.endpoints[0] as string).split(':') as [string, string];
    client = await connectClient(
      {
        kind,
        host,
        port: Number(port),
        pool: options.pool,
        endpointType: options.endpointType,
        commandTimeoutMs: options.commandTimeoutMs,
        relaxedTimeoutMs: 10_000,
        log: (level, message) => monitor.log(level, message),
      },
      (created) => {
        if (created.hitless !== null) monitor.watch(created.hitless);
      },
    );
    monitor.start();
    workload = startWorkload(client, stats, options.callers, `demo:${process.pid}:${kind}`);
    const steps = planDrill(options.endpointType, options.timeS);
    const drill = await runDrill(sim, steps, options.durationS, { phase: (phase, text) => (stats.enter(phase), monitor.phase(phase, text)) }, signal);
    await workload.stop();
    workload = null;
    const summary = summarizeRun(kind, stats, monitor, drill, started);
    monitor.stop();
    await client.close();
    client = null;
    monitor.finish(summary);
    return summary;
  } finally {
    monitor.stop();
    await workload?.stop();
    await client?.close().catch(() => undefined);
    signal.removeEventListener('abort', closeSim);
    await sim.close();
    detach();
  }
}

/** What a finished run reports: the workload's counts per phase, the monitor's counters, the drill's failures. */
export function summarizeRun(kind: ClientKind, stats: WorkloadStats, monitor: Monitor, drill: DrillOutcome, started: number): RunSummary {
  return {
    client: kind,
    phases: stats.report(),
    ok: stats.ok,
    failed: stats.failed,
    counterGaps: stats.counterGaps,
    errors: Object.fromEntries(stats.errors),
    handoffs: { ...monitor.counters.handoffs },
    notifications: { ...monitor.counters.notifications },
    drillErrors: [...drill.results.flatMap((r) => (r.ok ? [] : [`${r.phase} failed: ${r.error ?? '?'}`])), ...(drill.aborted ? ['interrupted'] : [])],
    seconds: (performance.now() - started) / 1000,
  };
}
