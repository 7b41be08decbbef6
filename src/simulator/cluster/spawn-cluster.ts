/**
 * Starts a plain local Redis Cluster from real `redis-server --cluster-enabled yes` processes on
 * free loopback ports, the way `redis-cli --cluster create` does but without its one-second sleeps:
 * ADDSLOTSRANGE + SET-CONFIG-EPOCH on each primary, MEET from the first node, poll CLUSTER INFO
 * until every node says `cluster_state:ok`, then CLUSTER REPLICATE for the replicas.
 */
import { AdminClient, parseInfo, type AdminValue } from '../admin-client.js';
import { startRedisServer, type RedisProcess } from '../redis-process.js';

export const SLOT_COUNT = 16384;

export interface SpawnClusterOptions {
  primaries: number;
  replicasPerPrimary?: number;
  /** Primaries that own no slot (a destination for slots, as an empty node of a managed cluster); default 0. */
  spares?: number;
  /** `cluster-node-timeout` in ms (how soon a dead primary is failed over); default 1000. */
  nodeTimeoutMs?: number;
  /** Extra `--name value` arguments for every node. */
  args?: string[];
  /** redis-server binary; default `redis-server` on PATH. */
  binary?: string;
  /** How long to wait for the cluster to converge; default 15 s. */
  readyTimeoutMs?: number;
}

/** One redis-server of a spawned cluster. */
export interface SpawnedClusterNode {
  readonly index: number;
  readonly process: RedisProcess;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The node id (`CLUSTER MYID`). */
  readonly id: string;
  /** The primary this node was started as a replica of, or null for a primary. */
  readonly replicaOf: string | null;
  /** The slot range the node was given at start ([first, last]), or null for a replica or a spare. */
  readonly slots: readonly [number, number] | null;
}

export interface SpawnedCluster {
  readonly nodes: readonly SpawnedClusterNode[];
  readonly primaries: readonly SpawnedClusterNode[];
  readonly replicas: readonly SpawnedClusterNode[];
  /** Primaries started without slots (after the replicas in `nodes`). */
  readonly spares: readonly SpawnedClusterNode[];
  /** Sends one command to a node on a short-lived admin connection. */
  command(node: { host: string; port: number }, ...args: string[]): Promise<AdminValue>;
  /** Resolves once every running node reports `cluster_state:ok` and agrees on the slot owners. */
  waitForConvergence(timeoutMs?: number): Promise<void>;
  /** Stops every node. Idempotent. */
  stop(): Promise<void>;
}

/** Slot ranges splitting 0…16383 into `count` contiguous, nearly equal parts. */
export function splitSlots(count: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    ranges.push([Math.floor((i * SLOT_COUNT) / count), Math.floor(((i + 1) * SLOT_COUNT) / count) - 1]);
  }
  return ranges;
}

export async function spawnCluster(options: SpawnClusterOptions): Promise<SpawnedCluster> {
  const primaries = options.primaries;
  const replicasPer = options.replicasPerPrimary ?? 0;
  if (!Number.isInteger(primaries) || primaries < 1) throw new Error('spawnCluster: primaries must be an integer ≥ 1');
  if (!Number.isInteger(replicasPer) || replicasPer < 0) throw new Error('spawnCluster: replicasPerPrimary must be an integer ≥ 0');
  const spares = options.spares ?? 0;
  if (!Number.isInteger(spares) || spares < 0) throw new Error('spawnCluster: spares must be an integer ≥ 0');
  const withReplicas = primaries * (1 + replicasPer);
  const total = withReplicas + spares;
  const processes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  try {
    const started = await Promise.allSettled(
      Array.from({ length: total }, () =>
        startRedisServer({
          ...(options.binary === undefined ? {} : { binary: options.binary }),
          args: [
            '--cluster-enabled', 'yes',
            '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000),
            // A replica of a primary that just died may always take over (tests kill primaries).
            '--cluster-replica-validity-factor', '0',
            ...(options.args ?? []),
          ],
        }).then((process) => {
          processes.push(process);
          return process;
        }),
      ),
    );
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const ordered = (started as Array<PromiseFulfilledResult<RedisProcess>>).map((result) => result.value);
    const ids = await Promise.all(ordered.map(async (process) => String(await command(process, 'CLUSTER', 'MYID'))));
    const ranges = splitSlots(primaries);
    const nodes: SpawnedClusterNode[] = ordered.map((process, index) => {
      const isPrimary = index < primaries;
      const isReplica = !isPrimary && index < withReplicas;
      return {
        index,
        process,
        host: '127.0.0.1',
        port: process.port,
        id: ids[index] as string,
        replicaOf: isReplica ? (ids[(index - primaries) % primaries] as string) : null,
        slots: isPrimary ? (ranges[index] as [number, number]) : null,
      };
    });
    await Promise.all(
      nodes.slice(0, primaries).map(async (node) => {
        const [first, last] = node.slots as [number, number];
        await command(node, 'CLUSTER', 'ADDSLOTSRANGE', String(first), String(last));
        await command(node, 'CLUSTER', 'SET-CONFIG-EPOCH', String(node.index + 1));
      }),
    );
    const [seed] = nodes as [SpawnedClusterNode];
    for (const node of nodes.slice(1)) await command(seed, 'CLUSTER', 'MEET', node.host, String(node.port));
    const cluster: SpawnedCluster = {
      nodes,
      primaries: nodes.slice(0, primaries),
      replicas: nodes.slice(primaries, withReplicas),
      spares: nodes.slice(withReplicas),
      command: (node, ...args) => command(node, ...args),
      waitForConvergence: (timeoutMs) => converge(nodes, timeoutMs ?? options.readyTimeoutMs ?? 15_000),
      stop,
    };
    const readyMs = options.readyTimeoutMs ?? 15_000;
    await waitFor(readyMs, 'the nodes to meet', async () => {
      const infos = await Promise.all(nodes.map((node) => command(node, 'CLUSTER', 'INFO').then(parseInfo)));
      return infos.every((info) => Number(info.get('cluster_known_nodes')) === total);
    });
    await Promise.all(cluster.replicas.map((node) => command(node, 'CLUSTER', 'REPLICATE', node.replicaOf as string)));
    await waitFor(readyMs, 'the replicas to sync', async () => {
      const infos = await Promise.all(cluster.replicas.map((node) => command(node, 'INFO', 'replication').then(parseInfo)));
      return infos.every((info) => info.get('master_link_status') === 'up');
    });
    await cluster.waitForConvergence();
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

async function converge(nodes: readonly SpawnedClusterNode[], timeoutMs: number): Promise<void> {
  await waitFor(timeoutMs, 'cluster_state:ok on every node', async () => {
    const results = await Promise.all(
      nodes.map(async (node) => {
        try {
          const info = parseInfo(await command(node, 'CLUSTER', 'INFO'));
          const slots = await command(node, 'CLUSTER', 'SLOTS');
          return { ok: info.get('cluster_state') === 'ok', slots: JSON.stringify(ownersOf(slots)) };
        } catch {
          return null; // a killed node
        }
      }),
    );
    const answering = results.filter((result) => result !== null);
    return answering.length > 0 && answering.every((result) => result.ok && result.slots === answering[0]?.slots);
  });
}

/** `CLUSTER SLOTS` reduced to [first, last, primary port] rows, sorted, to compare nodes' views. */
function ownersOf(slots: AdminValue): Array<[number, number, number]> {
  if (!Array.isArray(slots)) return [];
  return slots
    .map((row) => {
      const [first, last, primary] = row as [number, number, AdminValue[]];
      return [first, last, Number(primary?.[1])] as [number, number, number];
    })
    .sort((a, b) => a[0] - b[0]);
}

async function command(target: { host: string; port: number }, ...args: string[]): Promise<AdminValue> {
  const admin = await AdminClient.connect(target);
  try {
    return await admin.command(...args);
  } finally {
    admin.close();
  }
}

async function waitFor(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`local cluster: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
