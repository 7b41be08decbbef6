/**
 * Client options, their defaults and their validation (SPEC §6). Every invalid value throws a
 * ConfigError naming the option, the value and the rule; nothing is silently repaired.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Subscribable } from 'rxjs';
import type { Credentials, CredentialsProvider } from './credentials/provider.js';
import { ConfigError } from './errors.js';
import { refuseUnknownOptions } from './option-names.js';
import { int, oneOf, optionalString, or, record, REDACTED } from './option-values.js';
import { parseRedisUrl } from './redis-url.js';
import { MAX_POOL_SIZE, resolveMaintConfig } from './maint-config.js';
import { MAX_TIMER_MS } from './transport/clock.js';

/** How a client uses maintenance notifications (SPEC §2): never, always (a rejection fails the connection), or where the server supports them. */
export type MaintMode = 'disabled' | 'enabled' | 'auto';
/** How a MOVING should name the new endpoint (the `moving-endpoint-type` of the opt-in). */
export type EndpointType = 'internal-ip' | 'internal-fqdn' | 'external-ip' | 'external-fqdn' | 'none';
/** The most detailed level the client logs at. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The `maintNotifications` options (SPEC §6); every value is validated at construction. */
export interface MaintNotificationsOptions {
  /** Default `'auto'`: use notifications where the server supports them, quietly skip otherwise. */
  mode?: MaintMode;
  /** Default `'auto'`: resolved once at construction from the host and TLS (SPEC §4). */
  endpointType?: EndpointType | 'auto';
  /** ms; default 10 000. */
  relaxedTimeout?: number;
  /** ms; default 15 000. */
  handoffTimeout?: number;
  /** 1..10; default 3. */
  maxHandoffRetries?: number;
  /** maxWorkers and handoffQueueSize: 0 (default) scales with the pool size (SPEC §6). */
  maxWorkers?: number;
  handoffQueueSize?: number;
  /** ms; 0 (default) means 2 × relaxedTimeout. */
  postHandoffRelaxedDuration?: number;
  /** Default `'error'`. */
  logLevel?: LogLevel;
}

/** Options of `createMaintClient`; unknown or invalid ones throw a ConfigError. */
export interface MaintClientOptions {
  /** `redis://[user[:pass]@]host[:port][/db]`; `rediss://` turns TLS on. Not together with host/port. */
  url?: string;
  /** Default `'localhost'`. */
  host?: string;
  /** Default 6379. */
  port?: number;
  username?: string;
  password?: string;
  /**
   * Asked for every new socket (first connect, reconnects, handoffs, dedicated connections) and by
   * `reauthenticate()`, so a rotated password or a fresh token is used. Not together with
   * username/password (nor credentials in the url). A provider that throws, rejects or does not
   * answer within connectTimeout fails that connection attempt with ERR_AUTH. An Observable of
   * credentials works too: new sockets use its latest value, and each later value re-AUTHs the
   * live sockets (as `reauthenticate()` does).
   */
  credentials?: CredentialsProvider | Subscribable<Credentials>;
  /** Default 0. */
  database?: number;
  clientName?: string;
  tls?: boolean | ConnectionOptions;
  /** Default 3. Protocol 2 cannot receive maintenance notifications. */
  protocol?: 2 | 3;
  /** Connections in the pool, 1..10000; default 4. */
  poolSize?: number;
  /**
   * Upper bound on open connections (≥ poolSize): the pooled ones plus the dedicated ones lent to
   * blocking commands (a blocking call beyond it waits for one to be given back). Also caps the
   * auto-sized handoff queue. Default: no bound.
   */
  maxActive?: number;
  /**
   * Reply deadline per command in ms; default 5000. Must be > 0: there is no "no timeout" value
   * (a lost reply would then wait forever); pass a large value instead. Blocking commands get
   * their block time on top.
   */
  commandTimeout?: number;
  /** ms; default 5000; > 0. */
  connectTimeout?: number;
  /**
   * Default true: a read-only command (the command table's `readonly` flag) whose connection was
   * lost — before it was written, or after — is sent once more within its own deadline. Writes
   * are never re-sent.
   */
  retryReads?: boolean;
  maintNotifications?: MaintNotificationsOptions;
  /**
   * Client-side caching (RESP3 only): every connection turns CLIENT TRACKING on in its handshake,
   * replies of known read-only single-key commands (GET, HGET, …) are kept, the server's
   * invalidation pushes drop them, and the cache is flushed whenever a socket is swapped or lost.
   */
  clientSideCache?: ClientSideCacheOptions;
  /** XState inspection observer, passed through untouched. */
  inspect?: unknown;
  /** Passed through untouched. */
  logger?: unknown;
}

/** The `clientSideCache` option: client-side caching with server-assisted invalidation (RESP3). */
export interface ClientSideCacheOptions {
  /** Entries kept at most (least recently used dropped first), 1..10 000 000; default 10 000. */
  maxEntries?: number;
  /** An entry is dropped this long after it was read from the server, in ms; 0 = no limit; default 60 000. */
  ttlMs?: number;
}

/** The client-side cache's options after validation. */
export interface ResolvedCacheConfig {
  readonly maxEntries: number;
  readonly ttlMs: number;
}

/** The maintenance options after validation, with the auto-scaled and derived values resolved. */
export interface ResolvedMaintConfig {
  readonly mode: MaintMode;
  readonly endpointType: EndpointType | 'auto';
  readonly relaxedTimeout: number;
  readonly handoffTimeout: number;
  readonly maxHandoffRetries: number;
  /** The next three are resolved: auto-scaled / derived unless given. */
  readonly maxWorkers: number;
  readonly handoffQueueSize: number;
  readonly postHandoffRelaxedDuration: number;
  readonly logLevel: LogLevel;
}

export interface ResolvedClientOptions {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly credentials?: CredentialsProvider;
  /** `credentials` given as an Observable: the client turns it into `credentials` (its latest value). */
  readonly credentials$?: Subscribable<Credentials>;
  readonly database: number;
  readonly clientName?: string;
  readonly tls: false | ConnectionOptions;
  readonly protocol: 2 | 3;
  readonly poolSize: number;
  readonly maxActive?: number;
  readonly commandTimeout: number;
  readonly connectTimeout: number;
  readonly retryReads: boolean;
  readonly maint: ResolvedMaintConfig;
  readonly clientSideCache?: ResolvedCacheConfig;
  readonly inspect?: unknown;
  readonly logger?: unknown;
  /** Not a user option: a cluster that reads from replicas sends READONLY on every node connection. */
  readonly readOnlyConnections?: boolean;
}

/** Largest delay setTimeout honours; a longer one fires immediately. */
export { MAX_TIMER_MS } from './transport/clock.js';
export { autoQueueSize, autoWorkers, MAX_POOL_SIZE, resolveMaintConfig } from './maint-config.js';

const CLIENT_KEYS: ReadonlySet<string> = new Set<keyof MaintClientOptions>([
  'url', 'host', 'port', 'username', 'password', 'credentials', 'database', 'clientName', 'tls', 'protocol', 'poolSize',
  'maxActive', 'commandTimeout', 'connectTimeout', 'retryReads', 'maintNotifications', 'inspect', 'logger', 'clientSideCache',
]);

export function resolveClientOptions(options: MaintClientOptions = {}): ResolvedClientOptions {
  const o = record(options, 'options');
  refuseUnknownOptions(o, CLIENT_KEYS);
  const url = o['url'] === undefined ? undefined : parseRedisUrl(o['url']);
  if (url !== undefined) {
    for (const key of ['host', 'port'] as const) {
      if (o[key] !== undefined) throw new ConfigError(key, o[key], 'not allowed together with url');
    }
  }
  const fromUrl = (key: 'username' | 'password' | 'database'): unknown => {
    if (url?.[key] !== undefined && o[key] !== undefined) {
      throw new ConfigError(key, key === 'password' ? REDACTED : o[key], 'not allowed when url sets it too');
    }
    return o[key] !== undefined ? o[key] : url?.[key];
  };

  const protocol = oneOf(or(o['protocol'], 3), 'protocol', [2, 3] as const);
  const poolSize = int(or(o['poolSize'], 4), 'poolSize', 1, MAX_POOL_SIZE);
  const maxActive = o['maxActive'] === undefined ? undefined : int(o['maxActive'], 'maxActive', poolSize, Number.MAX_SAFE_INTEGER);
  const maint = resolveMaintConfig(o['maintNotifications'] as MaintNotificationsOptions | undefined, maxActive === undefined ? { poolSize } : { poolSize, maxActive });
  if (protocol === 2 && maint.mode === 'enabled') {
    throw new ConfigError('maintNotifications.mode', 'enabled', 'requires protocol 3 (RESP3); protocol is 2');
  }
  const clientSideCache = o['clientSideCache'] === undefined ? undefined : resolveCacheConfig(o['clientSideCache'], protocol);
  const username = optionalString(fromUrl('username'), 'username');
  const password = optionalString(fromUrl('password'), 'password');
  if (username !== undefined && password === undefined) throw new ConfigError('password', undefined, 'required when username is set');
  const credentials = o['credentials'];
  if (credentials !== undefined) {
    const subscribable = typeof credentials === 'object' && credentials !== null && typeof (credentials as { subscribe?: unknown }).subscribe === 'function';
    if (typeof credentials !== 'function' && !subscribable) throw new ConfigError('credentials', typeof credentials, 'a function returning { username?, password } (or a promise of it), or an Observable of them');
    if (password !== undefined) throw new ConfigError('credentials', 'a function', 'not together with username/password (or credentials in the url)');
  }
  const clientName = optionalString(o['clientName'], 'clientName');
  if (clientName !== undefined && !/^[!-~]+$/.test(clientName)) {
    throw new ConfigError('clientName', clientName, 'printable ASCII without spaces');
  }

  return {
    host: url?.host ?? hostOption(o['host']),
    port: url?.port ?? int(or(o['port'], 6379), 'port', 1, 65535),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(credentials === undefined ? {} : typeof credentials === 'function' ? { credentials: credentials as CredentialsProvider } : { credentials$: credentials as Subscribable<Credentials> }),
    database: int(or(fromUrl('database'), 0), 'database', 0, Number.MAX_SAFE_INTEGER),
    ...(clientName === undefined ? {} : { clientName }),
    tls: resolveTls(o['tls'], url?.tls ?? false),
    protocol,
    poolSize,
    ...(maxActive === undefined ? {} : { maxActive }),
    commandTimeout: int(or(o['commandTimeout'], 5000), 'commandTimeout', 1, MAX_TIMER_MS),
    connectTimeout: int(or(o['connectTimeout'], 5000), 'connectTimeout', 1, MAX_TIMER_MS),
    retryReads: oneOf(or(o['retryReads'], true), 'retryReads', [true, false] as const),
    maint,
    ...(clientSideCache === undefined ? {} : { clientSideCache }),
    ...(o['inspect'] === undefined ? {} : { inspect: o['inspect'] }),
    ...(o['logger'] === undefined ? {} : { logger: o['logger'] }),
  };
}

const CACHE_KEYS: ReadonlySet<string> = new Set(['maxEntries', 'ttlMs']);
export const MAX_CACHE_ENTRIES = 10_000_000;

function resolveCacheConfig(value: unknown, protocol: 2 | 3): ResolvedCacheConfig {
  const o = record(value, 'clientSideCache');
  for (const key of Object.keys(o)) {
    if (!CACHE_KEYS.has(key)) refuseUnknownOptions({ [key]: o[key] }, CACHE_KEYS, 'clientSideCache.');
  }
  // Invalidations arrive as RESP3 pushes on the connection that read the key (RESP2 would need REDIRECT).
  if (protocol === 2) throw new ConfigError('clientSideCache', '{…}', 'requires protocol 3 (RESP3); protocol is 2');
  return {
    maxEntries: int(or(o['maxEntries'], 10_000), 'clientSideCache.maxEntries', 1, MAX_CACHE_ENTRIES),
    ttlMs: int(or(o['ttlMs'], 60_000), 'clientSideCache.ttlMs', 0, MAX_TIMER_MS),
  };
}

function resolveTls(value: unknown, fromUrl: boolean): false | ConnectionOptions {
  if (value === undefined) return fromUrl ? {} : false;
  if (value === false && fromUrl) throw new ConfigError('tls', false, 'cannot be false with a rediss:// url');
  if (value === true) return {};
  if (value === false) return false;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as ConnectionOptions;
  throw new ConfigError('tls', value, 'a boolean or a tls.ConnectionOptions object');
}

function hostOption(value: unknown): string {
  if (value === undefined) return 'localhost';
  if (typeof value !== 'string' || value.trim() === '' || value !== value.trim()) {
    throw new ConfigError('host', value, 'a non-empty host name or IP address without surrounding spaces');
  }
  return value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
}
