/**
 * `create_database {database_config}`: the contract's database configuration (go-redis
 * `DatabaseConfig`, redis-py's `bdb_config`) mapped onto what the simulator can spawn:
 * - `oss_cluster: true` → a cluster database (the cluster mode): `shards_count` primaries
 *   (default 3, 1 to 6), one replica each with `replication: true`, and one spare (a node without
 *   a shard of the database, what `slot_migrate` effects `add` / `remove-add` move slots to);
 * - otherwise a standalone database (as `--spawn`: a primary and a replica, whatever
 *   `replication` says, so that a failover is real; `sharding`/`shards_count` do not split it).
 * `name` is required (the endpoints file's key, unique). `port`, `memory_size`,
 * `eviction_policy`, `module_list`, `proxy_policy` and the rest are accepted and not applied:
 * every address is a free port, the reply says which.
 */
import { ConfigError } from '../../errors.js';

/** What to spawn for a `create_database`. */
export interface DatabaseSpec {
  name: string;
  kind: 'standalone' | 'cluster';
  /** Cluster: primaries. */
  shards: number;
  /** Cluster: a replica per primary. */
  replication: boolean;
}

const MAX_SHARDS = 6;

export function parseDatabaseConfig(parameters: unknown): DatabaseSpec {
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) throw new ConfigError('parameters', parameters, 'an object {database_config}');
  const config = (parameters as Record<string, unknown>)['database_config'];
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ConfigError('parameters.database_config', config, 'required: an object {name, oss_cluster?, shards_count?, replication?, …}');
  const { name, oss_cluster: oss, shards_count: shards, replication } = config as Record<string, unknown>;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 128) throw new ConfigError('parameters.database_config.name', name, 'required: a non-empty name (at most 128 characters)');
  const flag = (value: unknown, key: string) => {
    if (value !== undefined && typeof value !== 'boolean') throw new ConfigError(`parameters.database_config.${key}`, value, 'true or false');
    return value === true;
  };
  const cluster = flag(oss, 'oss_cluster');
  const replicated = flag(replication, 'replication');
  if (shards !== undefined && (!Number.isInteger(shards) || (shards as number) < 1)) throw new ConfigError('parameters.database_config.shards_count', shards, 'a positive integer');
  if (cluster && shards !== undefined && (shards as number) > MAX_SHARDS) throw new ConfigError('parameters.database_config.shards_count', shards, `at most ${MAX_SHARDS} for an oss_cluster database here`);
  return { name, kind: cluster ? 'cluster' : 'standalone', shards: cluster ? ((shards as number | undefined) ?? 3) : 1, replication: replicated };
}
