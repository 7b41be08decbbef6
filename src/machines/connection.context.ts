/** The connection machine's context, input and events. */
import type { RelaxFamily, RelaxReason } from '../maintenance/relax.js';

/** What opening a socket reports back (the socket itself stays outside the machine). */
export interface OpenedSocket {
  endpoint: string;
  maint: 'unknown' | 'supported' | 'unsupported';
}

/** A MOVING this connection is acting on. */
export interface MovingOrder {
  seq: number;
  /** As announced; null: none (move to the configured address after timeS/2). */
  endpoint: string | null;
  /** Where to move: the announced endpoint, or the configured address. */
  target: string;
  /** When to start the handoff, on the client's clock (now, or after timeS/2 for no endpoint). */
  beginAt: number;
  /** When the old endpoint goes away, on the client's clock. */
  deadlineAt: number;
}

export interface ConnectionContext {
  id: string;
  /** The endpoint the socket reaches (or is being dialled). */
  endpoint: string;
  /** Failed attempts in a row; reset when a socket is ready. */
  attempt: number;
  lastError: string | null;
  /** The wait before the next dial, drawn with jitter on entering `reconnecting` (see `jitteredReconnectDelay`). */
  reconnectDelayMs: number;
  /** Active relaxations by source (`MIGRATING:12`, `handoff`, …) → their backstop in ms. */
  relaxSources: Record<string, number>;
  /** Why the last relaxation source ended. */
  lastUnrelax: { source: string; reason: RelaxReason } | null;
  /** The MOVING being acted on (waiting out timeS/2, or handing off). */
  moving: MovingOrder | null;
  /** Recent MOVINGs (`seq|endpoint`) already acted on on this socket: a duplicate is ignored. Bounded. */
  seenMovings: string[];
  /**
   * A MOVING already acted on, told again while a new socket was being opened (reconnect or
   * handoff): the server tells a socket that opts in on the node being left. Acted on once that
   * socket is in, unless it is where the MOVING pointed (then it was a copy on the old socket).
   */
  retold: MovingOrder | null;
  /** Failed handoffs for the pending MOVING; the next try waits longer (see `scheduleHandoff`). */
  handoffFailures: number;
  /** A handoff's budget; a MOVING this long past its deadline is dropped. */
  handoffTimeoutMs: number;
  /** Relaxation kept after a handoff, in ms (0: none). */
  postHandoffRelaxMs: number;
  /** The state the actor started in (see ConnectionInput.startIn). */
  startIn: 'connecting' | 'ready' | 'reconnecting';
}

export interface ConnectionInput {
  id: string;
  endpoint: string;
  postHandoffRelaxMs?: number;
  handoffTimeoutMs?: number;
  /**
   * Where a connection whose first attempt was made before its actor existed starts (see
   * Connection.firstOpen): `ready` (its socket at `endpoint` is open), or `reconnecting` after
   * that attempt failed with `lastError`. Absent: the actor makes the first attempt (`connecting`).
   */
  startIn?: { state: 'ready' } | { state: 'reconnecting'; lastError: string };
}

export type ConnectionEvent =
  /** The socket closed without being asked to (server gone, network, bad bytes). */
  | { type: 'socket.lost'; reason: string }
  /** Close gracefully: drain in-flight replies, then QUIT. */
  | { type: 'close' }
  | { type: 'relax.add'; source: string; backstopMs: number }
  | { type: 'relax.remove'; family: RelaxFamily; seq: number }
  | { type: 'relax.expire'; source: string }
  | ({ type: 'moving' } & MovingOrder)
  /** A MOVING already acted on, told again: news when it came on a socket being opened (see `retold`). */
  | ({ type: 'moving.again' } & MovingOrder)
  | { type: 'moving.check' }
  | { type: 'handoff.begin' }
  | { type: 'moving.stale' }
  | { type: 'handoff.succeeded'; endpoint: string }
  | { type: 'handoff.failed'; reason: string };
