/** Public types of the simulator's actions: what each takes (the HTTP API's `POST /action` body), and their status and result. */

/** What `bind` (alias `moving`) accepts. Durations are seconds and may be fractional. */
export interface BindParameters {
  /** The time announced in MOVING (an integer on the wire, rounded up); default 15. */
  time_s?: number;
  /** How long the old endpoint keeps forwarding commands; default time_s × 8.5 / 15 (≈ 8.5 s). */
  serve_s?: number;
  /** When the old endpoint's sockets are cut and it stops accepting; default time_s × 17 / 15 (≈ 17 s). */
  close_s?: number;
  /**
   * The old address follows the move this many seconds after the MOVING, as a managed database's
   * DNS name does (what clients of type `none` rely on; managed Redis: 4–10 s). From then on,
   * connections opened on it belong to the new node: they are not told, not held and not cut, and
   * the address keeps accepting. Default time_s × 7 / 15 (≈ 7 s: before a `none` client
   * reconnects at time_s / 2), at most close_s.
   */
  dns_follows_s?: number;
  /** Retire the old endpoint instead: it stops accepting at close_s (the behaviour before DNS following became the default). */
  retire?: boolean;
  /** Target endpoint: its index in `sim.endpoints` or its `host:port`; default the next one. */
  endpoint?: number | string;
  /** Fault: the target endpoint refuses connections for this long after the MOVING. */
  refuse_target_s?: number;
  /** Fault: connections to the target endpoint are accepted but not served for this long. */
  stall_target_s?: number;
  /** Fault: send every notification twice. */
  duplicate?: boolean;
  /** Fault: send an unparsable notification (valid RESP, bad fields) before the real one. */
  malformed?: boolean;
}

/** Parameters of a `migrate` action (MIGRATING … MIGRATED). */
export interface MigrateParameters {
  /** The time announced in MIGRATING; default 15. */
  time_s?: number;
  /** How long the migration lasts (replies are slowed meanwhile); default 10. */
  duration_s?: number;
  /** Extra delay of every reply while migrating, in ms; default 50. */
  delay_ms?: number;
  /** Shard ids announced; default ["1"]. */
  shards?: string[];
  /** Fault: do not send MIGRATED. */
  drop_closing?: boolean;
  /** Where the shard ends (index or `host:port`), the next `bind`'s default target; default the node after the active one. */
  endpoint?: number | string;
  duplicate?: boolean;
  malformed?: boolean;
}

/** Parameters of a `failover` action (FAILING_OVER, the upstream pauses or fails over, FAILED_OVER). */
export interface FailoverParameters {
  /** The time announced in FAILING_OVER; default 15. */
  time_s?: number;
  /** When fronting a given upstream: how long upstream traffic stalls; default 2. */
  stall_s?: number;
  /** Spawned: FAILED_OVER comes at least this long after FAILING_OVER; default time_s / 5 (3 s). */
  min_duration_s?: number;
  /** Spawned: how long to wait for in-flight replies before failing over; default 5. */
  drain_timeout_s?: number;
  /** Spawned: how long the promotion may take; default 10. */
  timeout_s?: number;
  shards?: string[];
  drop_closing?: boolean;
  duplicate?: boolean;
  malformed?: boolean;
}

/** Parameters of a `latency` fault. */
export interface LatencyParameters {
  /** Extra delay of every reply, in ms (0 removes it). */
  delay_ms: number;
  /** How long; default: until the next `latency` action. */
  duration_s?: number;
}

/**
 * Parameters of a `blackhole` fault: every connection (and every one opened meanwhile) stays open
 * and nothing more is forwarded to the server, as when a node dies without closing its sockets.
 * What was held is dropped with the connections the client gives up on.
 */
export interface BlackholeParameters {
  /** How long, in seconds (> 0). */
  duration_s: number;
}

/** Parameters of a `cut` fault (connections closed mid-reply). */
export interface CutParameters {
  /** The connection to cut; default every connection. */
  connection_id?: string;
  /** Cut in the middle of the next reply (default) or at once. */
  mid_reply?: boolean;
  /** How long to wait for a reply to cut; default 10. */
  timeout_s?: number;
}

/** An action to run: its type and parameters (the HTTP API's `POST /action` body). */
export type ActionRequest =
  | { type: 'bind' | 'moving'; parameters?: BindParameters }
  | { type: 'migrate' | 'reshard'; parameters?: MigrateParameters }
  | { type: 'failover'; parameters?: FailoverParameters }
  | { type: 'latency'; parameters: LatencyParameters }
  | { type: 'cut'; parameters?: CutParameters }
  | { type: 'sequence_of_actions'; parameters: SequenceParameters }
  | { type: 'update_cluster_config'; parameters: ClusterConfigParameters }
  | { type: 'execute_rladmin_command'; parameters: RladminParameters }
  | { type: 'blackhole'; parameters: BlackholeParameters }
  | { type: 'dmc_restart'; parameters?: DmcRestartParameters }
  | { type: 'network_failure'; parameters?: NetworkFailureParameters }
  | { type: 'execute_rlutil_command'; parameters: { rlutil_command: string } };

/** Parameters of `execute_rladmin_command` (see the README for the commands known). */
export interface RladminParameters {
  /** `status`, `migrate … target_node N`, `bind endpoint ID policy P` or `failover … shard S`. */
  rladmin_command: string;
  /** The database's name in the status table; default 'standalone' (the CLI: --database-name). */
  database_name?: string;
}

/** Parameters of `dmc_restart`: every client connection dropped, the addresses refuse dials for `down_s`. */
export interface DmcRestartParameters {
  /** How long the proxy is down, in seconds; default 1. */
  down_s?: number;
}

/** Parameters of `network_failure`: nothing answered (sockets kept open) for the duration. */
export interface NetworkFailureParameters {
  /** The duration in seconds, go-redis's name; default 5. */
  delay?: number;
  /** The same, in the simulator's spelling (not with `delay`). */
  duration_s?: number;
}

/** One step of a `sequence_of_actions`: the contract's `{type, params}`. */
export interface SequenceStep {
  type: Exclude<ActionType, 'sequence_of_actions'>;
  params?: Record<string, unknown>;
  /** Wait before this step, in nanoseconds (a Go `time.Duration`). */
  delay?: number;
}

/** Parameters of `sequence_of_actions`: the steps run one after another under one action id. */
export interface SequenceParameters {
  actions: SequenceStep[];
  bdbId?: string;
}

/** Parameters of `update_cluster_config`. */
export interface ClusterConfigParameters {
  config: {
    /** Server-side switch: off, `CLIENT MAINT_NOTIFICATIONS` is refused as open-source Redis refuses it. */
    client_maint_notifications?: boolean;
  };
}

/** The type of an action. */
export type ActionType =
  | 'topology_change_standalone'
  | 'bind'
  | 'moving'
  | 'migrate'
  | 'failover'
  | 'latency'
  | 'cut'
  | 'sequence_of_actions'
  | 'update_cluster_config'
  | 'execute_rladmin_command'
  | 'blackhole'
  | 'dmc_restart'
  | 'network_failure'
  | 'execute_rlutil_command'
  | 'reshard';

/** Where an action is in its life. */
export type ActionState = 'pending' | 'running' | 'success' | 'failed';

/** An action's status, as `GET /action/{id}` reports it. */
export interface ActionStatus {
  actionId: string;
  type: ActionType;
  status: ActionState;
  error?: string;
  output?: Record<string, unknown>;
}

/** What a finished action did. */
export interface ActionResult {
  actionId: string;
  type: ActionType;
  status: 'success';
  output: Record<string, unknown>;
}
