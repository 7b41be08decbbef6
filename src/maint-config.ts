/** The `maintNotifications` options: validation, and the values auto-scaled to the pool (SPEC §6). */
import type { EndpointType, LogLevel, MaintMode, MaintNotificationsOptions, ResolvedMaintConfig } from './config.js';
import { refuseUnknownOptions } from './option-names.js';
import { int, oneOf, or, record } from './option-values.js';
import { MAX_TIMER_MS } from './transport/clock.js';

export const MAX_POOL_SIZE = 10_000;

const MODES: readonly MaintMode[] = ['disabled', 'enabled', 'auto'];
const ENDPOINT_TYPES: readonly (EndpointType | 'auto')[] = ['auto', 'internal-ip', 'internal-fqdn', 'external-ip', 'external-fqdn', 'none'];
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
const MAINT_KEYS: ReadonlySet<string> = new Set<keyof MaintNotificationsOptions>([
  'mode', 'endpointType', 'relaxedTimeout', 'handoffTimeout', 'maxHandoffRetries',
  'maxWorkers', 'handoffQueueSize', 'postHandoffRelaxedDuration', 'logLevel',
]);

/** Validates `maintNotifications` options and resolves the auto-scaled values for a pool (SPEC §6's worked examples). */
export function resolveMaintConfig(
  options: MaintNotificationsOptions | undefined,
  pool: { poolSize: number; maxActive?: number },
): ResolvedMaintConfig {
  const o = record(options === undefined ? {} : options, 'maintNotifications');
  refuseUnknownOptions(o, MAINT_KEYS, 'maintNotifications.');
  const p = (name: string) => `maintNotifications.${name}`;
  const poolSize = int(pool.poolSize, 'poolSize', 1, MAX_POOL_SIZE);
  const maxActive = pool.maxActive === undefined ? undefined : int(pool.maxActive, 'maxActive', poolSize, Number.MAX_SAFE_INTEGER);
  // Its backstop is 3 × relaxedTimeout, which must still fit in a timer.
  const relaxedTimeout = int(or(o['relaxedTimeout'], 10_000), p('relaxedTimeout'), 1, Math.floor(MAX_TIMER_MS / 3));
  const maxWorkers = int(or(o['maxWorkers'], 0), p('maxWorkers'), 0, Number.MAX_SAFE_INTEGER) || autoWorkers(poolSize);
  const queue = int(or(o['handoffQueueSize'], 0), p('handoffQueueSize'), 0, Number.MAX_SAFE_INTEGER);
  const postHandoff = int(or(o['postHandoffRelaxedDuration'], 0), p('postHandoffRelaxedDuration'), 0, MAX_TIMER_MS);
  return {
    mode: oneOf(or(o['mode'], 'auto'), p('mode'), MODES),
    endpointType: oneOf(or(o['endpointType'], 'auto'), p('endpointType'), ENDPOINT_TYPES),
    relaxedTimeout,
    handoffTimeout: int(or(o['handoffTimeout'], 15_000), p('handoffTimeout'), 1, MAX_TIMER_MS),
    maxHandoffRetries: int(or(o['maxHandoffRetries'], 3), p('maxHandoffRetries'), 1, 10),
    maxWorkers,
    handoffQueueSize: queue || autoQueueSize(maxWorkers, poolSize, maxActive),
    // A derived default, so capping it to what a timer can hold is not repairing user input.
    postHandoffRelaxedDuration: postHandoff || Math.min(2 * relaxedTimeout, MAX_TIMER_MS),
    logLevel: oneOf(or(o['logLevel'], 'error'), p('logLevel'), LOG_LEVELS),
  };
}

/** W = min(floor(P/2), max(10, floor(P/3))), at least 1. */
export function autoWorkers(poolSize: number): number {
  return Math.max(1, Math.min(Math.floor(poolSize / 2), Math.max(10, Math.floor(poolSize / 3))));
}

/** max(20 × W, P), capped at maxActive + 1 (or 5 × P without a max-active limit), at least 2. */
export function autoQueueSize(workers: number, poolSize: number, maxActive?: number): number {
  const cap = maxActive === undefined ? 5 * poolSize : maxActive + 1;
  return Math.max(2, Math.min(Math.max(20 * workers, poolSize), cap));
}
