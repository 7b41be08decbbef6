/**
 * INCR loops counting acknowledgements: at the end every key holds at least what was
 * acknowledged (none lost) and at most that plus the failures that may have run (none doubled).
 */
import type { MaintClient } from '../../../src/index.js';
import { pause, type SoakContext } from '../context.js';
import type { Workload } from './workload.js';

export function counters(ctx: SoakContext, client: MaintClient, prefix: string, loops: number): Workload {
  const acked = new Map<string, number>();
  const maybe = new Map<string, number>();
  const loop = async (key: string) => {
    while (ctx.running) {
      try {
        await client.incr(key);
        acked.set(key, (acked.get(key) ?? 0) + 1);
        ctx.report.acknowledged.incr++;
      } catch (error) {
        if (ctx.failed(`INCR (${prefix})`, error)) maybe.set(key, (maybe.get(key) ?? 0) + 1);
        await pause(10);
      }
    }
  };
  return {
    workers: Array.from({ length: loops }, (_, i) => () => loop(`soak:n:${prefix}:${i}`)),
    async check() {
      for (const [key, count] of acked) {
        const value = Number((await client.get(key)) ?? 0);
        const uncertain = maybe.get(key) ?? 0;
        if (value < count) ctx.violation(`${key}: ${value} in Redis < ${count} acknowledged (a write lost)`);
        if (value > count + uncertain) ctx.violation(`${key}: ${value} in Redis > ${count} acknowledged + ${uncertain} uncertain (a write doubled)`);
      }
    },
  };
}
