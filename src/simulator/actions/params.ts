/**
 * Reading action parameters (from code or JSON over HTTP) with validation: unknown names and
 * bad values are rejected with a ConfigError naming the parameter, the value and the rule.
 */
import { ConfigError } from '../../errors.js';

/** Addressing keys the fault-injector contract sends with every action; accepted and ignored. */
const FAULT_INJECTOR_KEYS = new Set(['bdb_id', 'cluster_index']);

export class Params {
  private readonly raw: Record<string, unknown>;

  constructor(raw: unknown, allowed: readonly string[]) {
    if (raw === undefined || raw === null) raw = {};
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('parameters', raw, 'an object');
    this.raw = raw as Record<string, unknown>;
    for (const key of Object.keys(this.raw)) {
      if (!allowed.includes(key) && !FAULT_INJECTOR_KEYS.has(key)) {
        throw new ConfigError(`parameters.${key}`, this.raw[key], `unknown parameter; expected one of ${allowed.join(', ')}`);
      }
    }
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  number(name: string, fallback: number, min = 0, max = 86_400): number {
    const value = this.raw[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new ConfigError(`parameters.${name}`, value, `a number from ${min} to ${max}`);
    }
    return value;
  }

  required(name: string, min: number, max: number): number {
    if (this.raw[name] === undefined) throw new ConfigError(`parameters.${name}`, undefined, `required: a number from ${min} to ${max}`);
    return this.number(name, min, min, max);
  }

  boolean(name: string): boolean {
    const value = this.raw[name];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') throw new ConfigError(`parameters.${name}`, value, 'true or false');
    return value;
  }

  string(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') throw new ConfigError(`parameters.${name}`, value, 'a non-empty string');
    return value;
  }

  /** A JSON object (required). */
  object(name: string): Record<string, unknown> {
    const value = this.raw[name];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`parameters.${name}`, value, 'required: an object');
    return value as Record<string, unknown>;
  }

  /** A JSON array (required). */
  array(name: string): unknown[] {
    const value = this.raw[name];
    if (!Array.isArray(value)) throw new ConfigError(`parameters.${name}`, value, 'required: an array');
    return value;
  }

  /** The contract's `bdb_id` (a number or a numeric string; default 1): the status names the database by it. */
  bdbId(): number {
    const value = this.raw['bdb_id'];
    if (value === undefined) return 1;
    const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) throw new ConfigError('parameters.bdb_id', value, 'a database id (a positive integer, or one as a string)');
    return id;
  }

  shards(): string[] {
    const value = this.raw['shards'];
    if (value === undefined) return ['1'];
    if (!Array.isArray(value) || value.some((shard) => typeof shard !== 'string')) {
      throw new ConfigError('parameters.shards', value, 'an array of shard id strings');
    }
    return value as string[];
  }

  /** An endpoint given by index or `host:port`, checked against the simulator's endpoints. */
  endpoint(name: string, endpoints: readonly string[]): number | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    const index = typeof value === 'number' ? value : typeof value === 'string' ? endpoints.indexOf(value) : -1;
    if (!Number.isInteger(index) || index < 0 || index >= endpoints.length) {
      throw new ConfigError(`parameters.${name}`, value, `an endpoint index (0..${endpoints.length - 1}) or one of ${endpoints.join(', ')}`);
    }
    return index;
  }
}
