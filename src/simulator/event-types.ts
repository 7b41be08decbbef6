/** Public types of what the simulator reports: its events (`events$`), the frames it sent, its connections. */
import type { ActionType } from './action-types.js';
import type { EndpointType } from './types.js';

/** A frame the simulator wrote to a client on its own (notification, injected bytes). */
export interface SentFrame {
  /** Notification type (`MOVING`, …), or `raw` for injected bytes. */
  frameType: string;
  seq: number | null;
  bytes: Buffer;
  at: number;
  actionId: string | null;
}

/** A client connection the simulator proxies, as `connections()` reports it. */
export interface ConnectionInfo {
  id: string;
  /** The endpoint (`host:port`) the client connected to. */
  endpoint: string;
  /**
   * The node serving it (an endpoint's `host:port`): its own endpoint, or — on an address that
   * followed a `bind` — the node that address led to when the connection was opened.
   */
  node: string;
  /** The client's address. */
  remote: string;
  /** The Redis server this connection forwards to. */
  upstream: string;
  /** Set once the client sent `CLIENT MAINT_NOTIFICATIONS ON`; null when it never opted in. */
  endpointType: EndpointType | null;
  protocol: 2 | 3;
  openedAt: number;
  /** True while its commands are held back (stall, failover, retired endpoint). */
  held: boolean;
  /** Frames the simulator sent to it, in order. */
  sent: readonly SentFrame[];
}

/** Whether an endpoint accepts connections. */
export type EndpointState = 'serving' | 'refusing' | 'retired';

/** Everything the simulator does, as events (`events$`): actions, frames sent, connections, endpoint changes. */
export type SimulatorEvent =
  | { type: 'connection.opened'; connectionId: string; endpoint: string; remote: string; at: number }
  | { type: 'connection.optedIn'; connectionId: string; endpoint: string; endpointType: EndpointType | null; at: number }
  | { type: 'connection.closed'; connectionId: string; endpoint: string; reason: string; at: number }
  | {
      type: 'frame.sent';
      connectionId: string;
      endpoint: string;
      frameType: string;
      seq: number | null;
      bytes: Buffer;
      actionId: string | null;
      at: number;
    }
  | { type: 'endpoint.state'; endpoint: string; state: EndpointState; at: number }
  | { type: 'action.started'; actionId: string; action: ActionType; parameters: Record<string, unknown>; at: number }
  | { type: 'action.step'; actionId: string; action: ActionType; step: string; detail?: Record<string, unknown>; at: number }
  | {
      type: 'action.finished';
      actionId: string;
      action: ActionType;
      status: 'success' | 'failed';
      error?: string;
      output?: Record<string, unknown>;
      at: number;
    };
