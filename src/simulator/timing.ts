/** Timers that stop when the simulator closes. */

export class SimulatorClosedError extends Error {
  override get name(): string {
    return 'SimulatorClosedError';
  }
  constructor() {
    super('the simulator was closed');
  }
}

/** Resolves after `ms`; rejects with {@link SimulatorClosedError} as soon as `signal` aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new SimulatorClosedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new SimulatorClosedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Polls `check` every `everyMs` until it returns true; rejects with `message` after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, message: string, signal: AbortSignal, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(message);
    await delay(everyMs, signal);
  }
}
