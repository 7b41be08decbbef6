/**
 * The time source for deadlines and delays. XState's SimulatedClock has the same shape, so tests
 * drive the per-command deadlines and the machines' `after` delays with one simulated clock.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The longest delay setTimeout honours (a longer one fires at once). */
export const MAX_TIMER_MS = 2_147_483_647;

/** A delay setTimeout can take: longer ones are capped (the caller re-checks when it fires). */
export function timerDelay(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, ms));
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    // A pending deadline alone must not keep the process alive: open sockets already do.
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
