/** The checks every option goes through: a value of the right shape or a ConfigError naming option, value and rule. */
import { ConfigError } from './errors.js';

/** Shown in place of a password (or a url's user info) in errors. */
export const REDACTED = '<redacted>';

/** Only undefined means "not given": null is a value, and is validated like any other. */
export function or(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}

/** The value as an options object; a ConfigError unless it is a plain object. */
export function record(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(option, value, 'an object');
  return value as Record<string, unknown>;
}

/** An integer within [min, max]. */
export function int(value: unknown, option: string, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const rule = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  throw new ConfigError(option, value, rule);
}

/** One of `allowed` (compared with ===). */
export function oneOf<T>(value: unknown, option: string, allowed: readonly T[]): T {
  if (allowed.includes(value as T)) return value as T;
  throw new ConfigError(option, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
}

/** Not given, or a non-empty string (a password is never shown). */
export function optionalString(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  throw new ConfigError(option, option === 'password' ? REDACTED : value, 'a non-empty string');
}
