import { snapshotState, type ClientState, type ConnectionSnapshot, type NotificationRecord } from '../client/state.js';
import type { MaintSupport } from '../protocol/handshake.js';
import type { SlotRange } from '../protocol/notifications.js';
import type { ClusterNode } from './node.js';
import type { SlotTable } from './slot-table.js';
import type { LifecycleEvent } from '../events.js';

/** One node of the cluster map. */
export interface ClusterNodeState {
  /** `host:port` as the cluster map names it. */
  node: string;
  id: string | null;
  /** A replica only when the cluster reads from replicas (`readFrom`); a node reached by ASK counts as a primary. */
  role: 'primary' | 'replica';
  /** The slots it serves, as sorted ranges; empty for a node only reached by ASK. */
  slots: SlotRange[];
  connections: ConnectionSnapshot[];
  endpoints: Record<string, MaintSupport>;
  /** The shard channels (SSUBSCRIBE) homed on the node's sharded subscriber socket: listed once asked for, before the server confirmed them. */
  shardChannels: string[];
}

/** What `cluster.state()` and `cluster.state$` give. */
export interface ClusterState {
  status: ClientState['status'];
  nodes: ClusterNodeState[];
}

/** A maintenance notification, the node and the connection it arrived on. */
export interface ClusterNotificationRecord extends NotificationRecord {
  node: string;
}

export function snapshotCluster(status: ClusterState['status'], table: SlotTable, shardChannels: (node: ClusterNode) => string[]): ClusterState {
  const nodes: ClusterNodeState[] = [];
  for (const node of table.nodes.values()) {
    const { connections, endpoints } = snapshotState(status, node.pool);
    nodes.push({ node: node.key, id: node.id, role: table.isReplica(node) ? 'replica' : 'primary', slots: table.rangesOf(node), connections, endpoints, shardChannels: shardChannels(node) });
  }
  return { status, nodes };
}

/**
 * What `cluster.events$` reports: every node's lifecycle events tagged with the node (`host:port`
 * as the cluster map names it), and the cluster's own. Rare by design: nothing per command,
 * except a redirect (which only follows an error reply).
 */
export type ClusterEvent =
  | (LifecycleEvent & { node: string })
  | { at: number; type: 'cluster.node.added'; node: string; id: string | null }
  | { at: number; type: 'cluster.node.removed'; node: string; reason: string }
  /** A node's pool followed a MOVING: the map names it at its new address (same pool, same slots). */
  | { at: number; type: 'cluster.node.moved'; from: string; to: string }
  | { at: number; type: 'cluster.refreshed'; from: string; via: 'CLUSTER SHARDS' | 'CLUSTER SLOTS'; reason: string; nodes: number; changedSlots: number }
  | { at: number; type: 'cluster.refresh.failed'; reason: string; error: string }
  | { at: number; type: 'cluster.redirected'; kind: 'moved' | 'ask' | 'retry'; command: string; slot: number | null; from: string; to: string | null }
  | { at: number; type: 'cluster.slots.migrated'; seq: number; from: string | null; to: string; slots: SlotRange[] }
  /**
   * A subscribed slot's shard channels moved to the slot's new owner (`reason`: SMIGRATED, sunsubscribe, MOVED, a refresh…).
   * `exact`: the new owner was subscribed while the old one still served the slot and the old one's stream ended in order,
   * so nothing was lost; false when the old owner had stopped first (a message published in between is not received):
   * `gap` says why.
   */
  | { at: number; type: 'cluster.shard.moved'; slot: number; channels: number; from: string; to: string; reason: string; exact: boolean; gap?: string; durationMs: number }
  /** A subscribed slot could not be moved to its owner (it is tried again at the next topology change). */
  | { at: number; type: 'cluster.shard.moveFailed'; slot: number; from: string | null; reason: string; error: string };

export type ClusterEventInit = ClusterEvent extends infer E ? (E extends ClusterEvent ? Omit<E, 'at'> : never) : never;
