import { HitlessError, type MaintClient } from '../../src/index.js';

export interface LoadStats {
  acknowledged: Map<string, number>;
  reads: number;
  failures: Array<{ code: string; message: string }>;
  latencies: number[];
}

export interface Load {
  stats: LoadStats;
  /** Stops the callers and waits for their last calls. */
  stop(): Promise<LoadStats>;
}

/**
 * `callers` loops, each INCRementing its own key and reading it back now and then, counting
 * what Redis acknowledged, so a test can check that nothing was lost or applied twice.
 */
export function startLoad(client: MaintClient, callers: number, prefix: string): Load {
  const stats: LoadStats = { acknowledged: new Map(), reads: 0, failures: [], latencies: [] };
  let running = true;
  const loop = async (id: number) => {
    const key = `${prefix}:${id}`;
    let n = 0;
    while (running) {
      const started = performance.now();
      try {
        if (++n % 5 === 0) {
          const value = await client.get(key);
          const acknowledged = stats.acknowledged.get(key) ?? 0;
          if (Number(value ?? 0) < acknowledged) stats.failures.push({ code: 'STALE_READ', message: `${key}=${value} after ${acknowledged} INCRs` });
          stats.reads++;
        } else {
          await client.incr(key);
          stats.acknowledged.set(key, (stats.acknowledged.get(key) ?? 0) + 1);
        }
        stats.latencies.push(performance.now() - started);
      } catch (error) {
        stats.failures.push({ code: error instanceof HitlessError ? error.code : 'UNTYPED', message: String((error as Error).message) });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  const loops = Array.from({ length: callers }, (_, i) => loop(i));
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}

/** Every key's value in Redis must equal the INCRs Redis acknowledged: nothing lost, nothing doubled. */
export async function mismatches(client: MaintClient, stats: LoadStats): Promise<string[]> {
  const wrong: string[] = [];
  for (const [key, count] of stats.acknowledged) {
    const value = Number((await client.get(key)) ?? 0);
    if (value !== count) wrong.push(`${key}: ${value} in Redis, ${count} acknowledged`);
  }
  return wrong;
}
