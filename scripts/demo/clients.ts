/**
 * The clients a drill can run against, behind one small interface. hitless exposes its
 * lifecycle (`events$`, `state$`) for the dashboard; node-redis has no such stream, so its
 * dashboard shows the workload's own counters only.
 */
import { createClient } from 'redis';
import { createMaintClient, type MaintClient } from '../../src/index.js';
import type { EndpointType } from '../../src/simulator/index.js';
import type { ClientKind } from './args.js';

export interface DrillClient {
  readonly kind: ClientKind;
  /** The hitless client when kind is hitless (its streams feed the dashboard). */
  readonly hitless: MaintClient | null;
  incr(key: string): Promise<number>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  kind: ClientKind;
  host: string;
  port: number;
  pool: number;
  endpointType: EndpointType;
  commandTimeoutMs: number;
  relaxedTimeoutMs: number;
  /** Where the client's own log lines go (keeps them out of the terminal dashboard). */
  log: (level: string, message: string) => void;
}

/** Creates the client; `subscribe` runs before connecting so the dashboard sees the first connections. */
export async function connectClient(options: ConnectOptions, subscribe: (client: DrillClient) => void): Promise<DrillClient> {
  const { host, port } = options;
  if (options.kind === 'node-redis') {
    const peer = createClient({
      socket: { host, port, connectTimeout: 5000 },
      RESP: 3,
      maintNotifications: 'enabled',
      maintEndpointType: options.endpointType,
      maintRelaxedCommandTimeout: options.relaxedTimeoutMs,
      commandOptions: { timeout: options.commandTimeoutMs },
    });
    peer.on('error', (error: unknown) => options.log('error', `node-redis: ${error instanceof Error ? error.message : String(error)}`));
    const client: DrillClient = {
      kind: 'node-redis',
      hitless: null,
      incr: (key) => peer.incr(key),
      get: (key) => peer.get(key),
      close: async () => {
        if (peer.isOpen) await peer.close();
      },
    };
    subscribe(client);
    await peer.connect();
    return client;
  }
  const forward = (level: string) => (message: string) => options.log(level, message);
  const ours = createMaintClient({
    host,
    port,
    poolSize: options.pool,
    commandTimeout: options.commandTimeoutMs,
    logger: { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug') },
    maintNotifications: { endpointType: options.endpointType, relaxedTimeout: options.relaxedTimeoutMs, logLevel: 'warn' },
  });
  const client: DrillClient = {
    kind: 'hitless',
    hitless: ours,
    incr: (key) => ours.incr(key),
    get: (key) => ours.get(key),
    close: () => ours.close(),
  };
  subscribe(client);
  await ours.connect();
  return client;
}
