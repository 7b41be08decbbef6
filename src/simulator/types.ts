/** Public types of the maintenance simulator (`hitless/simulator`). */
import type { SimulatorDatabasesOptions } from './databases/options.js';
import type { Observable } from 'rxjs';
import type { ActionRequest, ActionResult, ActionStatus, ActionType } from './action-types.js';
import type { ConnectionInfo, SimulatorEvent } from './event-types.js';

export type { BindParameters, MigrateParameters, FailoverParameters, LatencyParameters, BlackholeParameters, CutParameters, ActionRequest, RladminParameters, DmcRestartParameters, NetworkFailureParameters, SequenceStep, SequenceParameters, ClusterConfigParameters, ActionType, ActionState, ActionStatus, ActionResult } from './action-types.js';
export type { SentFrame, ConnectionInfo, EndpointState, SimulatorEvent } from './event-types.js';

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
