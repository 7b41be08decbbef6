/**
 * Options of the databases a simulator's HTTP API creates (`create_database`): how many at once,
 * what the simulator's own database is called in the endpoints file and `rladmin status`, and
 * the endpoints file to keep up to date.
 */
import { ConfigError } from '../../errors.js';

/** `databases` of the simulator options (both modes): the fault-injector contract's `create_database` / `delete_database`. */
export interface SimulatorDatabasesOptions {
  /** How many created databases may run at once (0: `create_database` is refused); default 4. At most 16. */
  max?: number;
  /** The simulator's own database: its name in the endpoints file and `rladmin status`; default 'standalone' ('cluster' in cluster mode). */
  name?: string;
  /** Its bdb id; default 1. Created databases get the next free ids. */
  bdbId?: number;
  /** An endpoints file rewritten (every database, the simulator's first) whenever one is created or deleted. */
  endpointsConfig?: string;
}

export const DEFAULT_MAX_DATABASES = 4;

export function validateDatabasesOptions(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(name, value, '{ max?, name?, bdbId?, endpointsConfig? }');
  const { max, name: dbName, bdbId, endpointsConfig, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new ConfigError(`${name}.${unknown}`, rest[unknown], 'unknown option; expected max, name, bdbId, endpointsConfig');
  if (max !== undefined && (!Number.isInteger(max) || (max as number) < 0 || (max as number) > 16)) throw new ConfigError(`${name}.max`, max, 'an integer from 0 to 16');
  if (dbName !== undefined && (typeof dbName !== 'string' || dbName === '')) throw new ConfigError(`${name}.name`, dbName, 'a non-empty string');
  if (bdbId !== undefined && (!Number.isInteger(bdbId) || (bdbId as number) < 1)) throw new ConfigError(`${name}.bdbId`, bdbId, 'a positive integer');
  if (endpointsConfig !== undefined && (typeof endpointsConfig !== 'string' || endpointsConfig === '')) throw new ConfigError(`${name}.endpointsConfig`, endpointsConfig, 'a file path');
}
