/** Shared set-up for the simulator tests (not a test file itself). */
import { connect } from 'node:net';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { createMaintSimulator, type ConnectionInfo, type MaintSimulator, type MaintSimulatorOptions, type SimulatorEvent } from '../../src/simulator/index.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { RawRespClient, type RespNode } from '../helpers/raw-resp-client.js';

export interface Rig {
  sim: MaintSimulator;
  redis: RedisProcess | null;
  clients: RawRespClient[];
  /** Connects a raw client (closed by teardown). */
  client(address?: string): Promise<RawRespClient>;
  /** Connects, says HELLO 3 and opts in with `type` (null: HELLO only). */
  optedIn(type: string | null, address?: string): Promise<RawRespClient>;
  /** What the simulator reports about this client's connection. */
  infoOf(client: RawRespClient): ConnectionInfo | undefined;
  teardown(): Promise<void>;
}

/** A simulator fronting a fresh redis-server (or spawning its own with `spawn: true`). */
export async function rig(options: Omit<MaintSimulatorOptions, 'upstream'> = {}): Promise<Rig> {
  const redis = options.spawn ? null : await startRedis();
  const sim = await createMaintSimulator(redis ? { ...options, upstream: { host: redis.host, port: redis.port } } : options);
  const clients: RawRespClient[] = [];
  const client = async (address = sim.activeEndpoint) => {
    const c = await RawRespClient.connect(address);
    clients.push(c);
    return c;
  };
  return {
    sim,
    redis,
    clients,
    client,
    async optedIn(type, address) {
      const c = await client(address);
      const commands: string[][] = [['HELLO', '3']];
      if (type !== null) commands.push(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', type]);
      const replies = await c.send(...commands);
      if (type !== null && replies[1]?.kind !== '+') throw new Error(`opt-in failed: ${JSON.stringify(replies[1])}`);
      return c;
    },
    infoOf(c) {
      return sim.connections().find((connection) => connection.remote.endsWith(`:${c.localPort}`));
    },
    async teardown() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
      await redis?.stop();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The next event matching `match` (subscribe before triggering it). */
export function nextEvent<T extends SimulatorEvent['type']>(
  sim: MaintSimulator,
  type: T,
  match: (event: Extract<SimulatorEvent, { type: T }>) => boolean = () => true,
  ms = 5000,
): Promise<Extract<SimulatorEvent, { type: T }>> {
  return firstValueFrom(
    sim.events$.pipe(
      filter((event): event is Extract<SimulatorEvent, { type: T }> => event.type === type && match(event as Extract<SimulatorEvent, { type: T }>)),
      timeout(ms),
    ),
  );
}

/** Resolves with the error code of a failed dial, or 'connected'. */
export function dial(address: string): Promise<string> {
  const colon = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

export function port(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

export function kinds(nodes: readonly RespNode[]): string[] {
  return nodes.map((node) => node.kind);
}

/**
 * A round trip on each client: frames the simulator wrote to a connection before this call have
 * arrived once it resolves (they went out ahead of the PONG on the same socket).
 */
export async function settle(...clients: RawRespClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.command('PING')));
}
