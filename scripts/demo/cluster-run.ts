/**
 * `npm run demo -- --cluster`: the drill on the cluster simulator. A spawned Redis Cluster of 3
 * primaries with a replica each, every node behind a simulator proxy; a createMaintCluster client
 * with the same workload (each caller INCRs its own key, so the keys spread over the slots); then
 * a reshard of a third of the slots (SMIGRATING / SMIGRATED), a failover of a shard
 * (FAILING_OVER / FAILED_OVER) and a bind of a node to a new address (MOVING). The dashboard shows
 * every node's connections (endpoint = node) and each change of the slot map in the timeline.
 */
import { createMaintCluster, type MaintCluster } from '../../src/index.js';
import { createMaintSimulator, type ClusterActionRequest } from '../../src/simulator/index.js';
import type { DemoOptions } from './args.js';
import type { DrillClient } from './clients.js';
import { runDrill, type DrillStep } from './drill.js';
import { Monitor, type RunSummary } from './monitor.js';
import { summarizeRun, type Attach } from './run.js';
import { WorkloadStats } from './stats.js';
import { startWorkload, type Workload } from './workload.js';

export function planClusterDrill(timeS: number): Array<DrillStep<ClusterActionRequest>> {
  return [
    // 5 461 slots from the first two primaries to the third.
    { phase: 'migrate', request: { type: 'reshard', parameters: { slots: [[3641, 9101]], to: 2 } }, estimateS: 3 },
    { phase: 'failover', request: { type: 'failover', parameters: { node: 0 } }, estimateS: 2 },
    { phase: 'bind', request: { type: 'bind', parameters: { node: 1, time_s: timeS } }, estimateS: (timeS * 17) / 15 },
  ];
}

export async function runClusterDemo(options: DemoOptions, attach: Attach, signal: AbortSignal): Promise<RunSummary> {
  const sim = await createMaintSimulator({ cluster: { primaries: 3, replicasPerPrimary: 1 } });
  const closeSim = () => void sim.close().catch(() => undefined);
  signal.addEventListener('abort', closeSim, { once: true });
  const stats = new WorkloadStats();
  const monitor = new Monitor(options, 'hitless', sim.endpoints, stats);
  const detach = attach(monitor);
  let cluster: MaintCluster | null = null;
  let workload: Workload | null = null;
  const started = performance.now();
  try {
    const forward = (level: string) => (message: string) => monitor.log(level, message);
    cluster = createMaintCluster({
      rootNodes: [sim.endpoints[0] as string],
      poolSize: options.pool,
      commandTimeout: options.commandTimeoutMs,
      refreshInterval: 0,
      logger: { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug') },
      maintNotifications: { endpointType: options.endpointType, relaxedTimeout: 10_000, logLevel: 'warn' },
    });
    monitor.watchCluster(cluster);
    await cluster.connect();
    const c = cluster;
    const client: DrillClient = { kind: 'hitless', hitless: null, incr: (key) => c.incr(key), get: (key) => c.get(key), close: () => c.close() };
    monitor.start();
    workload = startWorkload(client, stats, options.callers, `demo:${process.pid}:cluster`);
    const drill = await runDrill(sim, planClusterDrill(options.timeS), options.durationS, { phase: (phase, text) => (stats.enter(phase), monitor.phase(phase, text)) }, signal);
    await workload.stop();
    workload = null;
    const summary = summarizeRun('hitless', stats, monitor, drill, started);
    monitor.stop();
    await cluster.close();
    cluster = null;
    monitor.finish(summary);
    return summary;
  } finally {
    monitor.stop();
    await workload?.stop();
    await cluster?.close().catch(() => undefined);
    signal.removeEventListener('abort', closeSim);
    await sim.close();
    detach();
  }
}
