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
  const client = createMaintClient({
    host: host as string,
    port: Number(port),
    commandTimeout: 400,
    connectTimeout: 500,
    ...options,
    maintNotifications: { relaxedTimeout: 2500, handoffTimeout: 3000, ...options.maintNotifications },
  });
  const events: LifecycleEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  const metrics = createMetricsHook();
  client.addNotificationHook(metrics);
  try {
    await client.connect();
    // connect() resolves with the first connection; the rest of the pool opens right after it.
    const poolSize = options.poolSize ?? 4;
    await until(() => client.state().connections.filter((c) => !c.dedicated && c.state === 'idle').length === poolSize, 5000, 'the whole pool idle');
  } catch (error) {
    await client.close();
    await sim.close();
    throw error;
  }
  return {
    sim,
    client,
    events,
    metrics,
    async close() {
      await client.close();
      await sim.close();
    },
  };
}

export function portOf(endpoint: string): string {
  return endpoint.slice(endpoint.lastIndexOf(':') + 1);
}

export const count = (events: LifecycleEvent[], type: LifecycleEvent['type']) => events.filter((e) => e.type === type).length;
