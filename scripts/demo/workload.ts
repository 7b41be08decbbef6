/**
 * The steady workload: N callers, each with its own key, awaiting one command at a time (four
 * INCR, then a GET). Each INCR reply is checked against the caller's previous one, so a write
 * that was lost or applied twice during a handoff shows up as a counter gap.
 */
import type { DrillClient } from './clients.js';
import type { WorkloadStats } from './stats.js';

export interface Workload {
  /** Stops issuing commands; resolves when every caller's last command settled. */
  stop(): Promise<void>;
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}

export function startWorkload(client: DrillClient, stats: WorkloadStats, callers: number, keyPrefix: string): Workload {
  let running = true;
  const caller = async (id: number): Promise<void> => {
    const key = `${keyPrefix}:${id}`;
    // The value the next INCR should return; 0 = unknown (at start, after a failed INCR).
    let expected = 0;
    for (let n = 0; running; n++) {
      const ticket = stats.ticket();
      const started = performance.now();
      try {
        if (n % 5 === 4) {
          await client.get(key);
        } else {
          const value = await client.incr(key);
          if (expected !== 0 && value !== expected) stats.counterGaps++;
          expected = value + 1;
        }
        stats.record(ticket, performance.now() - started);
      } catch (error) {
        if (n % 5 !== 4) expected = 0;
        stats.fail(ticket, errorCode(error));
        // A failing client must not turn into a busy loop.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  const loops = Array.from({ length: callers }, (_, i) => caller(i));
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
