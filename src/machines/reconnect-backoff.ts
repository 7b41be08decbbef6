/** How long a connection (pooled, subscriber) waits before it dials again after a failure. */

/** The first retry's ceiling, ms. */
export const RECONNECT_BASE_DELAY_MS = 50;
/** The backoff's cap, ms. */
export const RECONNECT_MAX_DELAY_MS = 2000;
/** The ceiling of the capped exponential backoff: 50, 100, 200, … 2000 ms. */
export function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
}

/**
 * "Equal jitter": half the ceiling plus a random share of the other half, so that the clients a
 * restarted node dropped at once do not redial in lockstep, while the backoff stays capped and
 * never shorter than half of it. `random` is in [0, 1).
 */
export function jitteredReconnectDelay(attempt: number, random: number): number {
  const ceiling = reconnectDelay(attempt);
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1));
}
