/** Options of createMaintCluster: every createMaintClient option (applied to each node) plus where to start. */
import { resolveClientOptions, type MaintClientOptions, type ResolvedClientOptions } from '../config.js';
import { ConfigError } from '../errors.js';
import { parseEndpoint, type Endpoint } from '../protocol/endpoint.js';

/** What `createMaintCluster` takes. */
export interface MaintClusterOptions extends Omit<MaintClientOptions, 'url' | 'host' | 'port' | 'database'> {
  /** Any reachable nodes of the cluster: `{ host, port }`, `host:port` or `redis://host:port` (`rediss://` turns TLS on). At least one. */
  rootNodes: ReadonlyArray<Endpoint | string>;
  /** Shortest time between two full topology refreshes, in ms; default 500. */
  refreshCooldown?: number;
  /** A slow periodic topology check, in ms; default 30 000; 0 turns it off. */
  refreshInterval?: number;
  /** MOVED/ASK redirections one command may follow; default 16. */
  maxRedirections?: number;
  /**
   * Where read-only commands (the command table's `readonly` flag) go. `'primary'` (default): the
   * slot's primary, and no replica is connected. `'prefer-replica'`: a replica of the slot's
   * shard (round-robin), the primary when none is up. `'any'`: spread over the primary and its
   * replicas. Replica connections send READONLY; writes always go to the primary. A replica may
   * lag its primary: a read can miss a write just made.
   */
  readFrom?: ReadFrom;
}

/** Where a cluster sends read-only commands (see `MaintClusterOptions.readFrom`). */
export type ReadFrom = 'primary' | 'prefer-replica' | 'any';

const READ_FROM: readonly ReadFrom[] = ['primary', 'prefer-replica', 'any'];

export interface ResolvedClusterOptions {
  readonly rootNodes: readonly Endpoint[];
  readonly refreshCooldown: number;
  readonly refreshInterval: number;
  readonly maxRedirections: number;
  readonly readFrom: ReadFrom;
  /** The options of the first root node (its URL's TLS and credentials included); a node's own are these with its host and port. */
  readonly node: ResolvedClientOptions;
}

export function resolveClusterOptions(options: MaintClusterOptions): ResolvedClusterOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ConfigError('options', options, 'an object');
  const { rootNodes, refreshCooldown, refreshInterval, maxRedirections, readFrom, ...rest } = options;
  if (readFrom !== undefined && !READ_FROM.includes(readFrom)) throw new ConfigError('readFrom', readFrom, `one of ${READ_FROM.join(', ')}`);
  const replicaReads = readFrom !== undefined && readFrom !== 'primary';
  for (const key of ['url', 'host', 'port', 'database'] as const) {
    if ((rest as Record<string, unknown>)[key] !== undefined) throw new ConfigError(key, (rest as Record<string, unknown>)[key], 'not a cluster option: nodes come from rootNodes and the cluster has only database 0');
  }
  if (!Array.isArray(rootNodes) || rootNodes.length === 0) throw new ConfigError('rootNodes', rootNodes, 'a non-empty array of { host, port } or redis:// URLs');
  const resolved = rootNodes.map((node: unknown, index) => rootNode(node, index, rest));
  return {
    rootNodes: resolved.map(({ host, port }) => ({ host, port })),
    refreshCooldown: int(refreshCooldown, 'refreshCooldown', 500, 0),
    refreshInterval: int(refreshInterval, 'refreshInterval', 30_000, 0),
    maxRedirections: int(maxRedirections, 'maxRedirections', 16, 1),
    readFrom: readFrom ?? 'primary',
    node: replicaReads ? { ...(resolved[0] as ResolvedClientOptions), readOnlyConnections: true } : (resolved[0] as ResolvedClientOptions),
  };
}

/** The options for a node at `endpoint`. */
export function nodeOptions(base: ResolvedClientOptions, endpoint: Endpoint): ResolvedClientOptions {
  return { ...base, host: endpoint.host, port: endpoint.port };
}

function rootNode(node: unknown, index: number, rest: Omit<MaintClientOptions, 'url' | 'host' | 'port' | 'database'>): ResolvedClientOptions {
  if (typeof node === 'string') {
    if (!/^rediss?:\/\//.test(node)) {
      const parsed = parseEndpoint(node);
      if (parsed.kind !== 'endpoint') throw new ConfigError(`rootNodes[${index}]`, node, 'host:port, or a redis:// URL');
      return resolveClientOptions({ ...rest, ...parsed.endpoint });
    }
    if (/^rediss?:\/\/[^/]*\/./.test(node)) throw new ConfigError(`rootNodes[${index}]`, node, 'a cluster URL names no database');
    return resolveClientOptions({ ...rest, url: node });
  }
  if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
    const { host, port } = node as Record<string, unknown>;
    if (host === undefined || port === undefined) throw new ConfigError(`rootNodes[${index}]`, node, 'needs host and port');
    return resolveClientOptions({ ...rest, host: host as string, port: port as number });
  }
  throw new ConfigError(`rootNodes[${index}]`, node, 'a { host, port } object or a redis:// URL');
}

function int(value: unknown, option: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= 2_147_483_647) return value;
  throw new ConfigError(option, value, `an integer from ${min} to 2147483647`);
}
