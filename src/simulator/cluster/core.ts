/**
 * What the cluster mode's operations (reshard, failover, bind, node kill) share: the nodes with
 * their front door and proxy, admin commands, sequence numbers, the slot owners, and sending a
 * notification to a node's connections.
 */
import type { AdminValue } from '../admin-client.js';
import type { ProxyConnection } from '../proxy-connection.js';
import type { Simulator } from '../simulator.js';
import type { FrontDoor } from './front-door.js';
import type { SpawnedCluster, SpawnedClusterNode } from './spawn-cluster.js';
import type { ClusterSimulatorNode } from './types.js';

/** A node as the cluster mode keeps it: its announced address moves with `bind`. */
export class ClusterNode implements ClusterSimulatorNode {
  constructor(
    readonly index: number,
    readonly id: string,
    readonly server: SpawnedClusterNode,
    readonly simulator: Simulator,
    /** The front door clients dial (the announced address). */
    public door: FrontDoor,
    /** Which of the simulator's two proxy endpoints the door leads to (a bind alternates them). */
    public proxy: number,
  ) {}

  get endpoint(): string {
    return `127.0.0.1:${this.door.port}`;
  }

  /** The proxy endpoint (`host:port`) the current door leads to. */
  get proxyAddress(): string {
    return this.simulator.endpoints[this.proxy] as string;
  }
}

export interface ClusterCore {
  readonly nodes: readonly ClusterNode[];
  readonly spawned: SpawnedCluster;
  /** Aborts when the simulator closes. */
  readonly signal: AbortSignal;
  command(node: ClusterNode, ...args: string[]): Promise<AdminValue>;
  nextSeq(): number;
  /** The node serving each slot now. */
  owners(): Promise<Array<ClusterNode | undefined>>;
  /** A node by index, endpoint or id; RangeError when there is none. */
  node(which: number | string): ClusterNode;
  /** Keeps a door to close with the simulator. */
  keepDoor(door: FrontDoor): void;
  /** Reports a step of the running action (no-op outside one). */
  step(step: string, detail?: Record<string, unknown>): void;
}

/** Writes a notification to these connections (default: every open one of the node). */
export function tell(node: ClusterNode, frameType: string, seq: number, bytes: Buffer, connections: Iterable<ProxyConnection> = node.simulator.liveConnections()): number {
  let count = 0;
  for (const connection of connections) {
    if (connection.closed) continue;
    connection.send(bytes, { frameType, seq, actionId: null });
    count++;
  }
  return count;
}

/**
 * Until `close()`: each connection of these nodes that opts in later is sent `frame` too, as a
 * server tells a client that enables notifications while a maintenance is under way.
 */
export function lateJoiners(nodes: Iterable<ClusterNode>, frameType: string, seq: number, frame: (connection: ProxyConnection) => Buffer, applies: (connection: ProxyConnection) => boolean = () => true): () => void {
  const closers = [...new Set(nodes)].map((node) =>
    node.simulator.openWindow({ applies, notice: (connection) => void tell(node, frameType, seq, frame(connection), [connection]) }),
  );
  return () => {
    for (const close of closers) close();
  };
}

/** The node's CLUSTER NODES line for `id` names `port` (or the node is down). */
export async function waitAnnounced(core: ClusterCore, id: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await Promise.all(
      core.nodes.map((node) =>
        core.command(node, 'CLUSTER', 'NODES').then(
          (text) => String(text).split('\n').find((line) => line.startsWith(`${id} `)),
          () => null, // a killed node has no view
        ),
      ),
    );
    if (views.every((line) => line === null || line?.split(' ')[1]?.startsWith(`127.0.0.1:${port}@`))) return;
    if (Date.now() > deadline) throw new Error(`cluster simulator: the cluster did not learn ${id}'s new address in time`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Sorted slots → [first, last] ranges. */
export function ranges(slots: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const slot of [...slots].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === slot - 1) last[1] = slot;
    else out.push([slot, slot]);
  }
  return out;
}

/** `host:port` → { host, port }. */
export function hostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}
