/**
 * The time source for deadlines and delays. XState's SimulatedClock has the same shape, so tests
 * drive the per-command deadlines and the machines' `after` delays with one simulated clock.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
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
