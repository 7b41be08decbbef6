import { until } from './client.js';
import { createMaintClient, createMetricsHook, type LifecycleEvent, type MaintClient, type MaintClientOptions, type MetricsHook } from '../../src/index.js';
import { createMaintSimulator, type MaintSimulator } from '../../src/simulator/index.js';

export interface SimulatedSetup {
  sim: MaintSimulator;
  client: MaintClient;
  events: LifecycleEvent[];
  metrics: MetricsHook;
  close(): Promise<void>;
}

/** A spawned simulator (primary + replica behind 2 endpoints) and a client on its first endpoint. */
export async function simulatedClient(options: MaintClientOptions = {}): Promise<SimulatedSetup> {
  const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
  const [host, port] = (sim.endpoints[0] as string).split(':');
  let client: MaintClient | undefined;
  const events: LifecycleEvent[] = [];
  const metrics = createMetricsHook();
  try {
    client = createMaintClient({
      host: host as string,
      port: Number(port),
      commandTimeout: 400,
      connectTimeout: 500,
      ...options,
      maintNotifications: { relaxedTimeout: 2500, handoffTimeout: 3000, ...options.maintNotifications },
    });
    client.events$.subscribe((event) => events.push(event));
    client.addNotificationHook(metrics);
    await client.connect();
    // connect() resolves with the first connection; the rest of the pool opens right after it.
    const poolSize = options.poolSize ?? 4;
    const started = client;
    await until(() => started.state().connections.filter((c) => !c.dedicated && c.state === 'idle').length === poolSize, 5000, 'the whole pool idle');
  } catch (error) {
    // Nothing is left running when the set-up itself fails (bad options, no connection).
    await client?.close();
    await sim.close();
    throw error;
  }
  const ready = client;
  return {
    sim,
    client: ready,
    events,
    metrics,
    async close() {
      try {
        await ready.close();
      } finally {
        await sim.close();
      }
    },
  };
}

export function portOf(endpoint: string): string {
  return endpoint.slice(endpoint.lastIndexOf(':') + 1);
}

export const count = (events: LifecycleEvent[], type: LifecycleEvent['type']) => events.filter((e) => e.type === type).length;

export interface HandoffOutcomes {
  started: number;
  succeeded: number;
  failed: number;
  fellBack: number;
  retried: number;
}

/** What became of the handoffs of one MOVING (`seq`), from the events recorded since `fromIndex`. */
export function handoffOutcomes(events: readonly LifecycleEvent[], seq: number, fromIndex = 0): HandoffOutcomes {
  const outcomes: HandoffOutcomes = { started: 0, succeeded: 0, failed: 0, fellBack: 0, retried: 0 };
  let lastFailedHere = false;
  for (const event of events.slice(fromIndex)) {
    if (event.type === 'handoff.fellBack') {
      // Emitted right after the handoff.failed it belongs to (it carries no seq).
      if (lastFailedHere) outcomes.fellBack++;
      continue;
    }
    lastFailedHere = false;
    if (!('seq' in event) || event.seq !== seq) continue;
    if (event.type === 'handoff.started') outcomes.started++;
    else if (event.type === 'handoff.succeeded') outcomes.succeeded++;
    else if (event.type === 'handoff.retried') outcomes.retried++;
    else if (event.type === 'handoff.failed') {
      outcomes.failed++;
      lastFailedHere = true;
    }
  }
  return outcomes;
}

/** The notifications of `type` the client received since `fromIndex` (optionally only those with `seq`). */
export function received(events: readonly LifecycleEvent[], type: string, fromIndex = 0, seq?: number): number {
  return events
    .slice(fromIndex)
    .filter((e) => e.type === 'notification.received' && e.notification.type === type && (seq === undefined || ('seq' in e.notification && e.notification.seq === seq))).length;
}
