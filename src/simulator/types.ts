/** Public types of the maintenance simulator (`hitless/simulator`). */
import type { SimulatorDatabasesOptions } from './databases/options.js';
import type { Observable } from 'rxjs';

/** How a connection asked to be told about a new endpoint (`CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type T`). */
export type EndpointType = 'internal-ip' | 'internal-fqdn' | 'external-ip' | 'external-fqdn' | 'none';

/** Every endpoint type a connection may ask for. */
export const ENDPOINT_TYPES: readonly EndpointType[] = ['internal-ip', 'internal-fqdn', 'external-ip', 'external-fqdn', 'none'];

/** A host and port. */
export interface HostPort {
  host: string;
  port: number;
}

/** Options of `createMaintSimulator`: the upstream to front (or spawn), the endpoints, the HTTP API. */
export interface MaintSimulatorOptions {
  /** Front this Redis server. Exactly one of `upstream` and `spawn` is required. */
  upstream?: HostPort;
  /** Spawn a redis-server primary and a replica (so that `failover` is a real failover). */
  spawn?: boolean;
  /** How many endpoints (listening ports) to expose; default 2, at least 1 (`bind` needs 2). */
  endpoints?: number;
  /** Ports for the endpoints, in order (then the database endpoint's); default: free ports chosen by the OS. */
  ports?: number[];
  /**
   * Where the endpoints listen: 'shared' (default: all on 127.0.0.1, one port each), 'distinct'
   * (endpoint i on 127.0.0.(2+i), its internal form on 127.1.0.(2+i): a MOVING then names another
   * host), or one IPv4 loopback address per endpoint (nodes, then the database endpoint). Every
   * endpoint also listens on 127.0.0.1 for its name form (`localhost:port`).
   */
  hosts?: 'shared' | 'distinct' | string[];
  /** With `hosts` as a list: the internal-ip form of each endpoint; default the same addresses. */
  internalHosts?: string[];
  /**
   * Also serve the database's own address (`databaseEndpoint` of the simulator), as a managed
   * database's DNS name: it leads to the node the database is on (following each `bind` after
   * `dns_follows_s`), is never a MOVING target, and is what clients should be configured with.
   */
  databaseEndpoint?: boolean;
  /** Start the HTTP control API on this port (0 = any free port); default: no HTTP API. */
  apiPort?: number;
  /** redis-server binary used with `spawn`; default `redis-server` on PATH. */
  redisServer?: string;
  /**
   * Default parameters per action type, under what each request gives (e.g. shorter durations
   * for a test that sends the official suites' bodies, which carry no timing).
   */
  actionDefaults?: Partial<Record<ActionType, Record<string, unknown>>>;

  /**
   * TLS mode: every endpoint terminates TLS with this certificate (or, given an array, endpoint i
   * with entry i), as a managed server's proxy does; the link to the upstream stays plain TCP.
   * `true`: with a certificate the simulator makes at start (a throw-away CA, `openssl` on PATH)
   * naming `localhost` and every address it listens on; clients trust `sim.tlsCa`.
   */
  tls?: SimulatorTlsOptions | readonly SimulatorTlsOptions[] | true;
  /** Databases the HTTP API's `create_database` spawns (at most 4 at once by default), and this one's name and bdb id. */
  databases?: SimulatorDatabasesOptions;
}

/** An endpoint's certificate and key (PEM) in the simulator's TLS mode. */
export interface SimulatorTlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** The CA that signed `cert` (PEM), reported as `sim.tlsCa` for clients to trust. */
  ca?: string | Buffer;
}

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

/** Where raw injection sends a frame. */
export interface InjectOptions {
  /** Only this connection; default every open connection. */
  connectionId?: string;
}

/** A running simulator: its endpoints, actions, injection, events and `close()`. */
export interface MaintSimulator {
  /** Every endpoint as `host:port`, in a stable order (index 0 is the initial active one). */
  readonly endpoints: readonly string[];
  /** The endpoint clients should use now (changes with `bind`). */
  readonly activeEndpoint: string;
  /** The database's own address when `databaseEndpoint` is on (the one to configure clients with), else null. */
  readonly databaseEndpoint: string | null;
  /** The Redis server the endpoints forward to now (changes with a spawned failover). */
  readonly upstream: string;
  /** URL of the HTTP control API when `apiPort` was given, else null. */
  readonly api: string | null;
  /** True in TLS mode (clients connect with TLS; the endpoints file says `tls: true`). */
  readonly tls: boolean;
  /** TLS mode: the CA certificate (PEM) clients should trust — the one made for `tls: true`, or the `ca` given — else null. */
  readonly tlsCa: string | null;
  /** Lifecycle events; completes on close. */
  readonly events$: Observable<SimulatorEvent>;
  /** Runs an action; resolves when it finished, rejects when it failed or was invalid. */
  run(action: ActionRequest): Promise<ActionResult>;
  /** Starts an action and returns its id at once (what the HTTP API uses). Throws on an invalid action. */
  start(action: ActionRequest): string;
  /** Status of an action started earlier. */
  action(actionId: string): ActionStatus | undefined;
  /** Every action started (the last 1000), oldest first. */
  actions(): ActionStatus[];
  /** Writes raw bytes at the next reply boundary, to one connection or all; returns the ids written to. */
  inject(frame: Uint8Array | string, options?: InjectOptions): string[];
  /** Open client connections. */
  connections(): ConnectionInfo[];
  /** Closes every endpoint, connection, timer and spawned redis-server. Idempotent. */
  close(): Promise<void>;
}
