/** What a subscriber session needs of its owner (a client's pool, a cluster node), and a sharded session's hooks. */
import type { InspectionEvent, Observer } from 'xstate';
import type { EmitEvent } from '../events.js';
import type { Logger } from '../log.js';
import type { SocketOwner } from '../pool/opener.js';
import type { Endpoint } from '../protocol/endpoint.js';
import type { RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import type { Pipeline } from '../transport/pipeline.js';
import type { SubscriptionKind } from './types.js';

export interface SessionDependencies {
  /** Names this session's sockets (`pubsub1.2`). */
  id: string;
  /** Dial + handshake (the pool's opener). */
  open(owner: SocketOwner, endpoint: Endpoint, signal: AbortSignal): Promise<{ pipeline: Pipeline; protocol: 2 | 3 }>;
  /** Where the session lives: asked at every (re)connect, so a cluster can give each node's session its own. */
  currentEndpoint(): Endpoint;
  /** The fallback when the current endpoint does not answer, and where a MOVING without endpoint goes. */
  configuredEndpoint: Endpoint;
  clock: Clock;
  emit: EmitEvent;
  logger: Logger;
  /** Deadline of the subscriber socket's own commands. */
  commandTimeoutMs: number;
  /** How long a move waits for its marker on both sockets before it falls back. */
  fenceTimeoutMs: number;
  /** MOVINGs are acted on (maintenance notifications not disabled). */
  followMoves: boolean;
  /** Tries to open the new socket of a move before it fails (and the session stays on the old one). */
  moveAttempts: number;
  /** XState inspection (the Stately inspector), as for the pool's machines. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Hooks of a cluster node's sharded session (src/cluster/sharded); a standalone session has none. */
  shard?: ShardHooks;
}

/** How a cluster's per-node sharded session differs: who gets its messages, how channels group, what the server dropped. */
export interface ShardHooks {
  /** Takes every message instead of the session's registry (whose names are only what the socket must carry). */
  deliver(type: 'message' | 'pmessage' | 'smessage', frame: RespValue[]): void;
  buffersWanted(): boolean;
  /** Shard channels that may share one SSUBSCRIBE (one slot each). */
  groups(names: readonly string[]): string[][];
  /** SSUBSCRIBE this channel after an ASKING (the node is importing its slot). */
  asking(name: string): boolean;
  /** The server unsubscribed a shard channel the session still carries (a slot left the node). */
  unsubscribed(name: string): void;
  /** The server refused to (un)subscribe these names (MOVED, NOPERM); the session dropped them. */
  refused(kind: SubscriptionKind, names: readonly string[], error: Error): void;
}
