/**
 * The Redis servers behind the endpoints: either one upstream the simulator was given, or a
 * primary and a replica it spawned (so that a failover is a real one: the replica is promoted
 * with FAILOVER, which waits for it to catch up, and the old primary becomes its replica).
 */
import { AdminClient, parseInfo } from './admin-client.js';
import { startRedisServer, type RedisProcess } from './redis-process.js';
import { waitFor } from './timing.js';
import type { HostPort } from './types.js';

export interface Topology {
  readonly spawned: boolean;
  /** Where the endpoints forward now. */
  current(): HostPort;
  /** Promotes the replica (spawned only). Resolves with the old and new primary. */
  failover(timeoutMs: number, signal: AbortSignal): Promise<{ from: HostPort; to: HostPort }>;
  close(): Promise<void>;
}

export function givenUpstream(upstream: HostPort): Topology {
  return {
    spawned: false,
    current: () => upstream,
    failover: () => Promise.reject(new Error('a real failover needs spawned servers (spawn: true)')),
    close: async () => {},
  };
}

function address(node: RedisProcess): HostPort {
  return { host: node.host, port: node.port };
}

async function withAdmin<T>(node: RedisProcess, use: (admin: AdminClient) => Promise<T>): Promise<T> {
  const admin = await AdminClient.connect(address(node));
  try {
    return await use(admin);
  } finally {
    admin.close();
  }
}

/** True when `primary` sees a replica online and that replica has its link up. */
async function inSync(primary: RedisProcess, replica: RedisProcess): Promise<boolean> {
  const primaryInfo = parseInfo(await withAdmin(primary, (admin) => admin.command('INFO', 'replication')));
  const replicaInfo = parseInfo(await withAdmin(replica, (admin) => admin.command('INFO', 'replication')));
  return (
    primaryInfo.get('role') === 'master' &&
    (primaryInfo.get('slave0') ?? '').includes('state=online') &&
    replicaInfo.get('master_link_status') === 'up'
  );
}

export async function spawnTopology(binary: string | undefined, signal: AbortSignal): Promise<Topology> {
  const base = binary === undefined ? {} : { binary };
  let primary = await startRedisServer(base);
  let replica: RedisProcess;
  let started: RedisProcess | undefined;
  try {
    replica = started = await startRedisServer({ ...base, replicaOf: address(primary) });
    await waitFor(() => inSync(primary, replica), 15_000, 'the spawned replica did not sync with its primary', signal);
  } catch (error) {
    // Stop both: a replica that never synced must not outlive the failed start.
    await Promise.allSettled([primary.stop(), started?.stop()]);
    throw error;
  }
  return {
    spawned: true,
    current: () => address(primary),
    async failover(timeoutMs, failoverSignal) {
      await waitFor(() => inSync(primary, replica), timeoutMs, 'the replica is not in sync; cannot fail over', failoverSignal);
      await withAdmin(primary, (admin) => admin.command('FAILOVER', 'TIMEOUT', String(timeoutMs)));
      await waitFor(
        async () => {
          const role = await withAdmin(replica, (admin) => admin.command('ROLE'));
          const state = parseInfo(await withAdmin(primary, (admin) => admin.command('INFO', 'replication')));
          return Array.isArray(role) && role[0] === 'master' && state.get('master_failover_state') === 'no-failover';
        },
        timeoutMs,
        `the replica was not promoted within ${timeoutMs} ms`,
        failoverSignal,
      );
      const from = address(primary);
      [primary, replica] = [replica, primary];
      return { from, to: address(primary) };
    },
    async close() {
      await Promise.all([primary.stop(), replica.stop()]);
    },
  };
}
