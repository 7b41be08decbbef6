/**
 * Which node owns each of the 16384 slots, and the node of each address. The per-command path
 * reads `owners[slot]` (one array lookup); refreshes swap in a whole new array, MOVED and
 * SMIGRATED patch slots in place.
 */
import { formatEndpoint, type Endpoint } from '../protocol/endpoint.js';
import type { SlotRange } from '../protocol/notifications.js';
import type { ClusterNode } from './node.js';
import { SLOT_COUNT } from './slot.js';
import type { TopologyShard } from './topology.js';

export class SlotTable {
  owners: Array<ClusterNode | undefined> = new Array<ClusterNode | undefined>(SLOT_COUNT);
  /** Nodes by `host:port`, as the cluster names them. */
  readonly nodes = new Map<string, ClusterNode>();
  /** The nodes that own at least one slot, for keyless commands. */
  primaries: ClusterNode[] = [];
  /** Addresses that nodes left by a MOVING (old `host:port` → the node), until a refresh names them at the new one. */
  private readonly formerly = new Map<string, ClusterNode>();
  private rotation = 0;

  /** `withReplicas`: replicas read from get a node (and a pool) of their own, listed on their primary. */
  constructor(
    private readonly create: (endpoint: Endpoint, id: string | null) => ClusterNode,
    private readonly withReplicas = false,
  ) {}

  /** The node at an address, created (and started by the caller's factory) when unknown. */
  nodeAt(endpoint: Endpoint, id: string | null = null): ClusterNode {
    const key = formatEndpoint(endpoint);
    let node = this.nodes.get(key);
    if (node === undefined || node.retired) {
      // A MOVED, SMIGRATED or refresh that still names where a moved node was: that node, not a second pool.
      const moved = this.formerly.get(key);
      if (moved !== undefined && !moved.retired && (id === null || moved.id === null || moved.id === id)) return moved;
      node = this.create(endpoint, id);
      this.nodes.set(key, node);
    }
    return node;
  }

  /** A primary for a keyless command, round-robin. */
  anyPrimary(): ClusterNode | undefined {
    const primaries = this.primaries;
    if (primaries.length === 0) return undefined;
    this.rotation = (this.rotation + 1) % primaries.length;
    return primaries[this.rotation];
  }

  /** Slots `ranges` now belong to the node at `endpoint` (MOVED, SMIGRATED). Returns that node. */
  assign(endpoint: Endpoint, ranges: readonly SlotRange[]): ClusterNode {
    const node = this.nodeAt(endpoint);
    for (const [first, last] of ranges) for (let slot = first; slot <= last; slot++) this.owners[slot] = node;
    if (!this.primaries.includes(node)) this.primaries = [...this.primaries, node];
    return node;
  }

  /**
   * The node answers at `endpoint` now (its pool followed a MOVING): it is keyed there, and its
   * old address still leads to it. Returns the node that was already keyed at the new address
   * (a MOVED or SMIGRATED named it first), whose slots are this node's now: the caller retires it.
   */
  rekey(node: ClusterNode, endpoint: Endpoint): ClusterNode | undefined {
    const from = node.key;
    const to = formatEndpoint(endpoint);
    if (from === to || this.nodes.get(from) !== node) return undefined;
    const displaced = this.nodes.get(to);
    this.nodes.delete(from);
    node.moveTo(endpoint);
    this.nodes.set(to, node);
    this.formerly.delete(to);
    this.formerly.set(from, node);
    if (displaced === undefined || displaced === node) return undefined;
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (this.owners[slot] === displaced) this.owners[slot] = node;
    this.primaries = this.primaries.includes(node) ? this.primaries.filter((p) => p !== displaced) : this.primaries.map((p) => (p === displaced ? node : p));
    return displaced;
  }

  /**
   * Replaces the map with a refresh's shards. Returns how many slots changed owner and the nodes
   * that own nothing any more (the caller retires them).
   */
  apply(shards: readonly TopologyShard[]): { changedSlots: number; orphans: ClusterNode[] } {
    const owners = new Array<ClusterNode | undefined>(SLOT_COUNT);
    const primaries: ClusterNode[] = [];
    const named = new Map<string, ClusterNode>();
    let changedSlots = 0;
    for (const shard of shards) {
      const node = this.nodeAt(shard.primary, shard.primary.id);
      named.set(formatEndpoint(shard.primary), node);
      if (shard.primary.id !== null) node.id = shard.primary.id;
      if (!primaries.includes(node)) primaries.push(node);
      node.replicas = this.withReplicas ? shard.replicas.map((replica) => this.replicaAt(replica)).filter((replica) => replica !== node) : [];
      for (const [first, last] of shard.slots) {
        for (let slot = Math.max(0, first); slot <= Math.min(SLOT_COUNT - 1, last); slot++) {
          if (this.owners[slot] !== node) changedSlots++;
          owners[slot] = node;
        }
      }
    }
    this.owners = owners;
    this.primaries = primaries;
    const kept = new Set([...primaries, ...primaries.flatMap((node) => node.replicas)]);
    const orphans = [...this.nodes.values()].filter((node) => !kept.has(node));
    for (const orphan of orphans) this.nodes.delete(orphan.key);
    // A moved node's old address leads to it until the cluster names another node there (or the node left).
    for (const [old, node] of this.formerly) {
      const there = named.get(old);
      if ((there !== undefined && there !== node) || !kept.has(node)) this.formerly.delete(old);
    }
    return { changedSlots, orphans };
  }

  private replicaAt(replica: TopologyShard['replicas'][number]): ClusterNode {
    const node = this.nodeAt(replica, replica.id);
    if (replica.id !== null) node.id = replica.id;
    return node;
  }

  /** Whether the node is a replica read from (not a primary of the map). */
  isReplica(node: ClusterNode): boolean {
    return !this.primaries.includes(node) && this.primaries.some((primary) => primary.replicas.includes(node));
  }

  /** A node's slots as sorted ranges (for state snapshots; not on the per-command path). */
  rangesOf(node: ClusterNode): SlotRange[] {
    const ranges: Array<[number, number]> = [];
    const owners = this.owners;
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (owners[slot] !== node) continue;
      const last = ranges[ranges.length - 1];
      if (last !== undefined && last[1] === slot - 1) last[1] = slot;
      else ranges.push([slot, slot]);
    }
    return ranges;
  }
}
