/** A spawned simulator in TLS mode and a TLS client on its first endpoint (not a test file). */
import { createMaintClient, type LifecycleEvent, type MaintClient, type MaintClientOptions } from '../../src/index.js';
import { createMaintSimulator, type MaintSimulator, type SimulatorTlsOptions } from '../../src/simulator/index.js';
import { until } from '../helpers/client.js';
import { LOCAL_SANS, testPki } from '../helpers/tls.js';

export interface TlsSetup {
  sim: MaintSimulator;
  client: MaintClient;
  events: LifecycleEvent[];
  close(): Promise<void>;
}

/** `certificates`: one per endpoint; default a trusted `localhost`/127.0.0.1 certificate on both. `tls: false` gives the plain TCP twin. */
export async function tlsSimulatedClient(options: MaintClientOptions & { certificates?: SimulatorTlsOptions[]; plain?: boolean } = {}): Promise<TlsSetup> {
  const { certificates, plain, ...clientOptions } = options;
  const pki = testPki();
  const tls = plain === true ? undefined : (certificates ?? [pki.issue(LOCAL_SANS), pki.issue(LOCAL_SANS)]);
  const sim = await createMaintSimulator({ spawn: true, endpoints: 2, ...(tls === undefined ? {} : { tls }) });
  const port = Number((sim.endpoints[0] as string).split(':')[1]);
  const events: LifecycleEvent[] = [];
  let client: MaintClient | undefined;
  try {
    client = createMaintClient({
      host: 'localhost',
      port,
      ...(plain === true ? {} : { tls: { ca: pki.ca } }),
      commandTimeout: 400,
      connectTimeout: 1000,
      ...clientOptions,
      maintNotifications: { relaxedTimeout: 2500, handoffTimeout: 3000, ...clientOptions.maintNotifications },
    });
    client.events$.subscribe((event) => events.push(event));
    await client.connect();
    const started = client;
    const poolSize = clientOptions.poolSize ?? 4;
    await until(() => started.state().connections.filter((c) => !c.dedicated && c.state === 'idle').length === poolSize, 5000, 'the whole pool idle');
  } catch (error) {
    await client?.close();
    await sim.close();
    throw error;
  }
  const ready = client;
  return {
    sim,
    client: ready,
    events,
    async close() {
      try {
        await ready.close();
      } finally {
        await sim.close();
      }
    },
  };
}
