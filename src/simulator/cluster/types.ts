/** The public types of the simulator's cluster mode. */
import type { Observable } from 'rxjs';
import type { SimulatorDatabasesOptions } from '../databases/options.js';
import type { AdminValue } from '../admin-client.js';
import type { ActionState, ConnectionInfo, MaintSimulator, SimulatorEvent } from '../types.js';
import type { SlotList, SlotMoveText } from './frames.js';
import type { SpawnedClusterNode } from './spawn-cluster.js';

/** The cluster mode's action types: its own, and the fault-injector contract's names for cluster operations. */
export type ClusterActionType = 'reshard' | 'failover' | 'cluster_failover' | 'bind' | 'slot_migrate' | 'node_kill' | 'sequence_of_actions' | 'execute_rladmin_command';

/** An action request of the cluster mode (`POST /action` body). */
export interface ClusterActionRequest {
  type: ClusterActionType;
  parameters?: Record<string, unknown>;
}

/** A cluster action's status, as `GET /action/{id}` reports it. */
export interface ClusterActionStatus {
  actionId: string;
  type: ClusterActionType;
  status: ActionState;
  error?: string;
  output?: Record<string, unknown>;
}

/** What a finished cluster action did. */
export interface ClusterActionResult {
  actionId: string;
  type: ClusterActionType;
  status: 'success';
  output: Record<string, unknown>;
}

/** Options of the cluster mode. */
export interface MaintClusterSimulatorOptions {
  primaries: number;
  replicasPerPrimary?: number;
  /** Primaries that own no slot at start: destinations for `slot_migrate` effects `add` and `remove-add`; default 0. */
  spares?: number;
  /** `cluster-node-timeout` in ms; default 1000. */
  nodeTimeoutMs?: number;
  redisServer?: string;
  /** Port of the HTTP control API on 127.0.0.1 (0: any free port); none when absent. */
  apiPort?: number;
  /** Default parameters per action type, under what a request gives (e.g. `{ bind: { time_s: 3 } }`). */
  actionDefaults?: Partial<Record<ClusterActionType, Record<string, unknown>>>;
  /** Databases the HTTP API's `create_database` spawns (at most 4 at once by default), and this one's name and bdb id. */
  databases?: SimulatorDatabasesOptions;
}

/** One spawned node (primary, replica or spare) and its simulator. */
export interface ClusterSimulatorNode {
  readonly index: number;
  readonly id: string;
  /** What the node announces and clients use (`host:port`): its front door, in front of the simulator's proxy. Changes with `bind`. */
  readonly endpoint: string;
  /** The redis-server behind it. */
  readonly server: SpawnedClusterNode;
  readonly simulator: MaintSimulator;
}

/** What `reshard` takes. */
export interface ReshardParameters {
  /** Slots and [first, last] ranges to move. */
  slots: SlotList;
  /** Destination: a node index, its endpoint or its id. */
  to: number | string;
  /** Keys per MIGRATE; default 100. */
  batch?: number;
  /** Slots migrated at once; default 8. */
  parallel?: number;
  /** Wire form of SMIGRATED; default the current triplets. */
  form?: 'triplets' | 'flat' | 'pairs';
  /** Fault: never send SMIGRATED (the client's backstop must end the relaxation). */
  dropClosing?: boolean;
  /** Fault: send every notification twice. */
  duplicate?: boolean;
  /** Fault: send a malformed SMIGRATING / SMIGRATED ahead of each real one. */
  malformed?: boolean;
  /** Time between SMIGRATING and the first migration step, ms (the server announces ahead of the work); default 0. */
  pauseMs?: number;
}

/** What a reshard did: the moves (as SMIGRATED names them), keys migrated and the seqs sent. */
export interface ReshardResult {
  moves: SlotMoveText[];
  keys: number;
  smigratingSeqs: number[];
  smigratedSeq: number | null;
}

/** What `failover` takes. */
export interface ClusterFailoverParameters {
  /** The primary to fail over (index, endpoint or id). */
  node: number | string;
  /** `CLUSTER FAILOVER FORCE` (no handshake with the primary). */
  force?: boolean;
  /**
   * Which notifications tell it: `failing-over` (FAILING_OVER / FAILED_OVER, the default) or
   * `smigrated` (SMIGRATING / SMIGRATED of the primary's slots to its replica, as the OSS cluster API reports a failover).
   */
  notifications?: 'failing-over' | 'smigrated';
}

/** What `bind` takes. */
export interface ClusterBindParameters {
  /** The node whose address moves (index, endpoint or id). */
  node: number | string;
  /** The time MOVING announces, s; default 15. */
  timeS?: number;
  /** When the old address stops accepting and its connections are cut, s; default timeS × 17/15. */
  closeS?: number;
}

/** What a bind did. */
export interface ClusterBindResult {
  seq: number;
  from: string;
  to: string;
  /** Connections told MOVING when it started (late joiners on the old address are told too). */
  told: number;
}

/** A connection of one of the nodes; `id` is `n<index>.<connection id>`. */
export interface ClusterConnectionInfo extends ConnectionInfo {
  nodeIndex: number;
}

/** The cluster mode's events: every node's simulator events tagged with the node's endpoint, and the cluster actions. */
export type ClusterSimulatorEvent =
  | (SimulatorEvent & { node: string })
  | { type: 'action.started'; actionId: string; action: ClusterActionType; parameters: Record<string, unknown>; at: number }
  | { type: 'action.step'; actionId: string; action: ClusterActionType; step: string; detail?: Record<string, unknown>; at: number }
  | { type: 'action.finished'; actionId: string; action: ClusterActionType; status: 'success' | 'failed'; error?: string; output?: Record<string, unknown>; at: number };

/** The simulator in cluster mode. */
export interface MaintClusterSimulator {
  readonly nodes: readonly ClusterSimulatorNode[];
  /** Every node's endpoint now, primaries first, then replicas, then spares. */
  readonly endpoints: readonly string[];
  /** URL of the HTTP control API when `apiPort` was given, else null. */
  readonly api: string | null;
  /** Events of every node and action; completes on close. */
  readonly events$: Observable<ClusterSimulatorEvent>;
  /** The node serving each slot now, as CLUSTER SLOTS says. */
  owners(): Promise<Array<ClusterSimulatorNode | undefined>>;
  /** SMIGRATING to each source's connections (and late joiners), a real migration, then SMIGRATED to every connection (unless a fault drops it). */
  reshard(parameters: ReshardParameters): Promise<ReshardResult>;
  /** FAILING_OVER to the primary's connections, CLUSTER FAILOVER on its replica, FAILED_OVER once it serves. */
  failover(parameters: ClusterFailoverParameters): Promise<{ promoted: string }>;
  /** The node's address moves: a new front door, announced by the node, and MOVING to the connections on the old one. */
  bind(parameters: ClusterBindParameters): Promise<ClusterBindResult>;
  /** Kills a node's redis-server (SIGKILL), as a crash would; the cluster fails its slots over to a replica by itself. */
  killNode(parameters: { node: number | string }): Promise<{ killed: string }>;
  /** Runs an action by request (as the HTTP API does); resolves when it finished, rejects when it failed or was invalid. */
  run(request: ClusterActionRequest): Promise<ClusterActionResult>;
  /** Starts an action and returns its id at once. Throws a ConfigError on an invalid request. */
  start(request: ClusterActionRequest): string;
  /** Status of an action started earlier. */
  action(actionId: string): ClusterActionStatus | undefined;
  /** Every action started (the last 1000), oldest first. */
  actions(): ClusterActionStatus[];
  /** Open client connections of every node. */
  connections(): ClusterConnectionInfo[];
  /** Raw bytes to every connection of these nodes (default all). */
  inject(frame: Uint8Array, nodes?: readonly ClusterSimulatorNode[]): void;
  /** Sends one command to a node's redis-server directly (not through its proxy). */
  command(node: ClusterSimulatorNode, ...args: string[]): Promise<AdminValue>;
  /** Stops the API, every proxy and node. Idempotent. */
  close(): Promise<void>;
}
