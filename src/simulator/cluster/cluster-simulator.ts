/**
 * The simulator's cluster mode: a spawned local Redis Cluster whose every node is fronted by a
 * simulator endpoint (a proxy) and announces it (`cluster-announce-ip/port`, through a front door
 * that sends replication connections straight to the server), so CLUSTER SHARDS/SLOTS, MOVED and
 * ASK name the proxies. Actions drive real OSS cluster operations and
 * send the OSS-cluster-API maintenance notifications of managed Redis around them:
 * - reshard: SMIGRATING to the source's connections, a real migration (SETSLOT IMPORTING /
 *   MIGRATING, MIGRATE … KEYS in batches, SETSLOT NODE on every primary), then SMIGRATED
 *   `[src, dst, slots]` to every connection of every node;
 * - failover: FAILING_OVER to the primary's connections, CLUSTER FAILOVER on its replica,
 *   FAILED_OVER once the replica serves.
 */
import { AdminClient, type AdminValue } from '../admin-client.js';
import { Simulator } from '../simulator.js';
import type { MaintSimulator } from '../types.js';
import { failedOverFrame, failingOverFrame } from '../push-frames.js';
import { openFrontDoor, type FrontDoor } from './front-door.js';
import { smigratedFlatFrame, smigratedFrame, smigratedPairsFrame, smigratingFrame, type SlotList, type SlotMoveText } from './frames.js';
import { spawnCluster, type SpawnedCluster, type SpawnedClusterNode } from './spawn-cluster.js';

/** Options of the cluster mode. */
export interface MaintClusterSimulatorOptions {
  primaries: number;
  replicasPerPrimary?: number;
  /** `cluster-node-timeout` in ms; default 1000. */
  nodeTimeoutMs?: number;
  redisServer?: string;
}

/** One spawned node (primary or replica) and its simulator. */
export interface ClusterSimulatorNode {
  readonly index: number;
  readonly id: string;
  /** What the node announces and clients use (`host:port`): its front door, in front of the simulator's proxy. */
  readonly endpoint: string;
  /** The redis-server behind it. */
  readonly server: SpawnedClusterNode;
  readonly simulator: MaintSimulator;
}

/** What `reshard` takes. */
export interface ReshardParameters {
  /** Slots and [first, last] ranges to move. */
  slots: SlotList;
  /** Destination: a node index or its endpoint. */
  to: number | string;
  /** Keys per MIGRATE; default 100. */
  batch?: number;
  /** Slots migrated at once; default 8. */
  parallel?: number;
  /** Wire form of SMIGRATED; default the current triplets. */
  form?: 'triplets' | 'flat' | 'pairs';
  /** Fault: never send SMIGRATED (the client's backstop must end the relaxation). */
  dropClosing?: boolean;
  /** Fault: send every notification twice. */
  duplicate?: boolean;
}

/** What a reshard did: the moves (as SMIGRATED names them), keys migrated and the seqs sent. */
export interface ReshardResult {
  moves: SlotMoveText[];
  keys: number;
  smigratingSeqs: number[];
  smigratedSeq: number | null;
}

/** The simulator in cluster mode. */
export interface MaintClusterSimulator {
  readonly nodes: readonly ClusterSimulatorNode[];
  /** Every node's proxy endpoint, primaries first. */
  readonly endpoints: readonly string[];
  /** The node serving each slot now, as CLUSTER SLOTS says. */
  owners(): Promise<Array<ClusterSimulatorNode | undefined>>;
  /** SMIGRATING to each source's connections, a real migration, then SMIGRATED to every connection (unless a fault drops it). */
  reshard(parameters: ReshardParameters): Promise<ReshardResult>;
  /** FAILING_OVER to the primary's connections, CLUSTER FAILOVER on its replica, FAILED_OVER once it serves. */
  failover(parameters: { node: number | string }): Promise<{ promoted: string }>;
  /** Raw bytes to every connection of these nodes (default all). */
  inject(frame: Uint8Array, nodes?: readonly ClusterSimulatorNode[]): void;
  /** Sends one command to a node's redis-server directly (not through its proxy). */
  command(node: ClusterSimulatorNode, ...args: string[]): Promise<AdminValue>;
  /** Stops every proxy and node. Idempotent. */
  close(): Promise<void>;
}

/** Spawns a local cluster, fronts every node with a proxy it announces, and waits until the map names the proxies. */
export async function createClusterSimulator(options: MaintClusterSimulatorOptions): Promise<MaintClusterSimulator> {
  const spawned = await spawnCluster({
    primaries: options.primaries,
    replicasPerPrimary: options.replicasPerPrimary ?? 0,
    nodeTimeoutMs: options.nodeTimeoutMs ?? 1000,
    ...(options.redisServer === undefined ? {} : { binary: options.redisServer }),
  });
  const simulators: Simulator[] = [];
  const doors: FrontDoor[] = [];
  try {
    const nodes: ClusterSimulatorNode[] = [];
    for (const server of spawned.nodes) {
      const simulator = new Simulator({ upstream: { host: server.host, port: server.port }, endpoints: 1 });
      simulators.push(simulator);
      await simulator.init();
      const proxy = simulator.endpoints[0] as string;
      const door = await openFrontDoor(() => ({ host: '127.0.0.1', port: Number(proxy.slice(proxy.lastIndexOf(':') + 1)) }), { host: server.host, port: server.port });
      doors.push(door);
      const port = door.port;
      const endpoint = `127.0.0.1:${port}`;
      await spawned.command(server, 'CONFIG', 'SET', 'cluster-announce-ip', '127.0.0.1');
      // The bus port stays the server's own: only clients go through the proxy.
      await spawned.command(server, 'CONFIG', 'SET', 'cluster-announce-bus-port', String(server.port + 10000));
      await spawned.command(server, 'CONFIG', 'SET', 'cluster-announce-port', String(port));
      nodes.push({ index: server.index, id: server.id, endpoint, server, simulator });
    }
    await announced(spawned, nodes);
    return new ClusterSimulator(spawned, nodes, doors);
  } catch (error) {
    await Promise.all(doors.map((door) => door.close()));
    await Promise.all(simulators.map((simulator) => simulator.close()));
    await spawned.stop();
    throw error;
  }
}

/** Waits until every node's CLUSTER SLOTS names only proxy ports. */
async function announced(spawned: SpawnedCluster, nodes: readonly ClusterSimulatorNode[]): Promise<void> {
  const proxies = new Set(nodes.map((node) => Number(node.endpoint.slice(node.endpoint.lastIndexOf(':') + 1))));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const views = await Promise.all(spawned.nodes.map((node) => spawned.command(node, 'CLUSTER', 'SLOTS')));
    const ports = views.flatMap((rows) => (rows as AdminValue[][]).flatMap((row) => row.slice(2).map((node) => Number((node as AdminValue[])[1]))));
    if (ports.length > 0 && ports.every((port) => proxies.has(port))) return;
    if (Date.now() > deadline) throw new Error('cluster simulator: the nodes did not announce their proxies in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

class ClusterSimulator implements MaintClusterSimulator {
  readonly endpoints: readonly string[];
  private seq = 0;
  private closing: Promise<void> | null = null;
  /** One admin connection per node, kept for the simulator's life (a reshard sends thousands of commands). */
  private readonly admins = new Map<ClusterSimulatorNode, Promise<AdminClient>>();

  constructor(private readonly spawned: SpawnedCluster, readonly nodes: readonly ClusterSimulatorNode[], private readonly doors: readonly FrontDoor[]) {
    this.endpoints = nodes.map((node) => node.endpoint);
  }

  async command(node: ClusterSimulatorNode, ...args: string[]): Promise<AdminValue> {
    let admin = this.admins.get(node);
    if (admin === undefined) {
      admin = AdminClient.connect(node.server);
      this.admins.set(node, admin);
    }
    try {
      return await (await admin).command(...args);
    } catch (error) {
      // A broken admin connection (a node restarted) is opened again next time; a reply error is not.
      if (!(error instanceof Error) || /admin connection closed|ECONNREFUSED|ECONNRESET|EPIPE/.test(error.message)) this.admins.delete(node);
      throw error;
    }
  }

  async owners(): Promise<Array<ClusterSimulatorNode | undefined>> {
    const owners = new Array<ClusterSimulatorNode | undefined>(16384);
    const first = await this.live();
    const rows = (await this.command(first, 'CLUSTER', 'SLOTS')) as AdminValue[][];
    for (const row of rows) {
      const id = String((row[2] as AdminValue[])[2]);
      const node = this.nodes.find((candidate) => candidate.id === id);
      for (let slot = Number(row[0]); slot <= Number(row[1]); slot++) owners[slot] = node;
    }
    return owners;
  }

  async reshard(parameters: ReshardParameters): Promise<ReshardResult> {
    const destination = this.node(parameters.to);
    const owners = await this.owners();
    const bySource = new Map<ClusterSimulatorNode, number[]>();
    for (const entry of parameters.slots) {
      const [first, last] = typeof entry === 'number' ? [entry, entry] : entry;
      for (let slot = first; slot <= last; slot++) {
        const source = owners[slot];
        if (source === undefined || source === destination) continue;
        bySource.set(source, [...(bySource.get(source) ?? []), slot]);
      }
    }
    const times = parameters.duplicate ? 2 : 1;
    const smigratingSeqs: number[] = [];
    for (const [source, slots] of bySource) {
      const seq = ++this.seq;
      smigratingSeqs.push(seq);
      for (let i = 0; i < times; i++) this.inject(smigratingFrame(seq, ranges(slots)), [source]);
    }
    let keys = 0;
    const primaries = [...new Set(owners.filter((owner) => owner !== undefined))];
    // A few slots at a time (each slot's own steps stay in order).
    const work = [...bySource].flatMap(([source, slots]) => slots.map((slot) => ({ source, slot })));
    const lanes = Array.from({ length: Math.min(parameters.parallel ?? 8, work.length) }, async () => {
      for (let item = work.shift(); item !== undefined; item = work.shift()) {
        const moved = await this.migrateSlot(item.slot, item.source, destination, primaries, parameters.batch ?? 100);
        keys += moved;
      }
    });
    await Promise.all(lanes);
    const moves: SlotMoveText[] = [...bySource].map(([source, slots]) => ({ source: source.endpoint, destination: destination.endpoint, slots: ranges(slots) }));
    if (parameters.dropClosing || moves.length === 0) return { moves, keys, smigratingSeqs, smigratedSeq: null };
    const seq = ++this.seq;
    const frame =
      parameters.form === 'flat'
        ? smigratedFlatFrame(seq, destination.endpoint, moves.flatMap((move) => move.slots))
        : parameters.form === 'pairs'
          ? smigratedPairsFrame(seq, [{ destination: destination.endpoint, slots: moves.flatMap((move) => move.slots) }])
          : smigratedFrame(seq, moves);
    for (let i = 0; i < times; i++) this.inject(frame);
    return { moves, keys, smigratingSeqs, smigratedSeq: seq };
  }

  async failover(parameters: { node: number | string }): Promise<{ promoted: string }> {
    const primary = this.node(parameters.node);
    const target = await this.replicaOf(primary);
    if (target === undefined) throw new Error(`cluster simulator: ${primary.endpoint} has no replica to fail over to`);
    const seq = ++this.seq;
    this.inject(failingOverFrame(seq, 2, [primary.id]), [primary]);
    await this.command(target, 'CLUSTER', 'FAILOVER');
    const deadline = Date.now() + 10_000;
    while (!String(((await this.command(target, 'ROLE')) as AdminValue[])[0]).startsWith('master')) {
      if (Date.now() > deadline) throw new Error('cluster simulator: the replica was not promoted in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await this.spawned.waitForConvergence(10_000);
    this.inject(failedOverFrame(++this.seq, [primary.id]), [primary, target]);
    return { promoted: target.endpoint };
  }

  inject(frame: Uint8Array, nodes: readonly ClusterSimulatorNode[] = this.nodes): void {
    for (const node of nodes) node.simulator.inject(frame);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const admin of this.admins.values()) void admin.then((client) => client.close(), () => undefined);
      await Promise.all(this.doors.map((door) => door.close()));
      await Promise.all(this.nodes.map((node) => node.simulator.close()));
      await this.spawned.stop();
    })();
    return this.closing;
  }

  private async migrateSlot(slot: number, source: ClusterSimulatorNode, destination: ClusterSimulatorNode, primaries: ClusterSimulatorNode[], batch: number): Promise<number> {
    const text = String(slot);
    await this.command(destination, 'CLUSTER', 'SETSLOT', text, 'IMPORTING', source.id);
    await this.command(source, 'CLUSTER', 'SETSLOT', text, 'MIGRATING', destination.id);
    let moved = 0;
    for (;;) {
      const keys = (await this.command(source, 'CLUSTER', 'GETKEYSINSLOT', text, String(batch))) as string[];
      if (keys.length === 0) break;
      await this.command(source, 'MIGRATE', destination.server.host, String(destination.server.port), '', '0', '5000', 'REPLACE', 'KEYS', ...keys);
      moved += keys.length;
    }
    // Destination first, then the source, then everyone else (the order the cluster spec gives).
    await this.command(destination, 'CLUSTER', 'SETSLOT', text, 'NODE', destination.id);
    await this.command(source, 'CLUSTER', 'SETSLOT', text, 'NODE', destination.id);
    for (const other of primaries) if (other !== source && other !== destination) await this.command(other, 'CLUSTER', 'SETSLOT', text, 'NODE', destination.id);
    return moved;
  }

  private async replicaOf(primary: ClusterSimulatorNode): Promise<ClusterSimulatorNode | undefined> {
    const text = String(await this.command(primary, 'CLUSTER', 'NODES'));
    for (const line of text.split('\n')) {
      const [id, , flags, master] = line.split(' ');
      if (master === primary.id && flags?.includes('slave') && !flags.includes('fail')) return this.nodes.find((node) => node.id === id);
    }
    return undefined;
  }

  private node(which: number | string): ClusterSimulatorNode {
    const node = typeof which === 'number' ? this.nodes[which] : this.nodes.find((candidate) => candidate.endpoint === which || candidate.id === which);
    if (node === undefined) throw new RangeError(`cluster simulator: no node ${String(which)}`);
    return node;
  }

  private async live(): Promise<ClusterSimulatorNode> {
    for (const node of this.nodes) {
      try {
        await this.command(node, 'PING');
        return node;
      } catch {
        // a stopped node
      }
    }
    throw new Error('cluster simulator: no node answers');
  }
}

/** Sorted slots → [first, last] ranges. */
function ranges(slots: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const slot of [...slots].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === slot - 1) last[1] = slot;
    else out.push([slot, slot]);
  }
  return out;
}
