import type { ConnectionStateValue } from '../machines/connection.machine.js';
import type { MaintSupport } from '../protocol/handshake.js';
import type { MaintenanceNotification } from '../protocol/notifications.js';
import type { Pool } from '../pool/pool.js';

/** One connection in a state snapshot. */
export interface ConnectionSnapshot {
  id: string;
  endpoint: string;
  state: ConnectionStateValue;
  inflight: number;
  /** Serves one caller at a time (blocking commands) instead of the multiplexed pool. */
  dedicated: boolean;
  /** The relaxed timeout in force, or null when not relaxed. */
  relaxedTimeout: number | null;
  /** When the relaxation ends at the latest (epoch ms: its backstop), or null when not relaxed. */
  relaxedUntil: number | null;
}

/** A snapshot of the client for dashboards: its status, each connection, and detected support per endpoint. */
export interface ClientState {
  status: 'new' | 'connecting' | 'ready' | 'closed';
  connections: ConnectionSnapshot[];
  /** Detected support for maintenance notifications, per endpoint (`host:port`). */
  endpoints: Record<string, MaintSupport>;
}

/** A parsed maintenance notification and the connection it arrived on. */
export interface NotificationRecord {
  connectionId: string;
  endpoint: string;
  notification: MaintenanceNotification;
  at: number;
}

export function snapshotState(status: ClientState['status'], pool: Pool): ClientState {
  const connections: ConnectionSnapshot[] = [];
  for (const connection of pool.connections.values()) {
    connections.push({
      id: connection.id,
      endpoint: connection.endpointText,
      state: connection.state,
      inflight: connection.inflight,
      dedicated: connection.dedicated,
      relaxedTimeout: connection.relaxedTimeout > 0 ? connection.relaxedTimeout : null,
      relaxedUntil: connection.relaxedUntil,
    });
  }
  return { status, connections, endpoints: pool.supportSnapshot() };
}
