import type { LifecycleEvent } from '../events.js';
import type { SlotRange } from '../protocol/notifications.js';

/**
 * What `cluster.events$` reports: every node's lifecycle events tagged with the node (`host:port`
 * as the cluster map names it), and the cluster's own. Rare by design: nothing per command,
 * except a redirect (which only follows an error reply).
 */
export type ClusterEvent =
  | (LifecycleEvent & { node: string })
  | { at: number; type: 'cluster.node.added'; node: string; id: string | null }
  | { at: number; type: 'cluster.node.removed'; node: string; reason: string }
  | { at: number; type: 'cluster.refreshed'; from: string; via: 'CLUSTER SHARDS' | 'CLUSTER SLOTS'; reason: string; nodes: number; changedSlots: number }
  | { at: number; type: 'cluster.refresh.failed'; reason: string; error: string }
  | { at: number; type: 'cluster.redirected'; kind: 'moved' | 'ask' | 'retry'; command: string; slot: number | null; from: string; to: string | null }
  | { at: number; type: 'cluster.slots.migrated'; seq: number; from: string | null; to: string; slots: SlotRange[] };

export type ClusterEventInit = ClusterEvent extends infer E ? (E extends ClusterEvent ? Omit<E, 'at'> : never) : never;
