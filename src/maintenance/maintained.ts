import type { RelaxFamily } from './relax.js';

/** What maintenance tells a connection to do (the connection's machine acts on it). */
export type MaintenanceOrder =
  | { type: 'relax.add'; source: string; backstopMs: number }
  | { type: 'relax.remove'; family: RelaxFamily; seq: number }
  | { type: 'moving'; seq: number; endpoint: string | null; target: string; beginAt: number; deadlineAt: number }
  /** A MOVING this connection already acted on, told again (a copy, or news about a socket it is opening). */
  | { type: 'moving.again'; seq: number; endpoint: string | null; target: string; beginAt: number; deadlineAt: number };

/**
 * What the maintenance handler needs from a connection it acts on — whoever owns it (a pool's
 * pooled or dedicated connection, another kind of owner) — so that maintenance depends on no
 * owner's class.
 */
export interface MaintainedConnection {
  readonly id: string;
  /** The endpoint its socket reaches, as `host:port`. */
  readonly endpointText: string;
  /** The MOVINGs (`seq|endpoint`) this connection already acted on. */
  seenMovings(): readonly string[];
  order(order: MaintenanceOrder): void;
}
