import { snapshotState, type ClientState, type ConnectionSnapshot, type NotificationRecord } from '../client/state.js';
import type { MaintSupport } from '../protocol/handshake.js';
import type { SlotRange } from '../protocol/notifications.js';
import type { SlotTable } from './slot-table.js';

export interface ClusterNodeState {
  /** `host:port` as the cluster map names it. */
  node: string;
  id: string | null;
  /** The slots it serves, as sorted ranges; empty for a node only reached by ASK. */
  slots: SlotRange[];
  connections: ConnectionSnapshot[];
  endpoints: Record<string, MaintSupport>;
}

export interface ClusterState {
  status: ClientState['status'];
  nodes: ClusterNodeState[];
}

/** A maintenance notification, the node and the connection it arrived on. */
export interface ClusterNotificationRecord extends NotificationRecord {
  node: string;
}

export function snapshotCluster(status: ClusterState['status'], table: SlotTable): ClusterState {
  const nodes: ClusterNodeState[] = [];
  for (const node of table.nodes.values()) {
    const { connections, endpoints } = snapshotState(status, node.pool);
    nodes.push({ node: node.key, id: node.id, slots: table.rangesOf(node), connections, endpoints });
  }
  return { status, nodes };
}
