/** MULTI (INCR a, INCR b) loops: a and b always end equal (no transaction applied in part). */
import type { MaintClient } from '../../../src/index.js';
import { pause, type SoakContext } from '../context.js';
import type { Workload } from './workload.js';

export function transactions(ctx: SoakContext, client: MaintClient, loops: number): Workload {
  const loop = async (id: number) => {
    while (ctx.running) {
      try {
        await client.multi([['INCR', `soak:a:${id}`], ['INCR', `soak:b:${id}`]]);
        ctx.report.acknowledged.multi++;
      } catch (error) {
        ctx.failed('MULTI', error);
        await pause(10);
      }
    }
  };
  return {
    workers: Array.from({ length: loops }, (_, i) => () => loop(i)),
    async check() {
      for (let id = 0; id < loops; id++) {
        const [a, b] = [await client.get(`soak:a:${id}`), await client.get(`soak:b:${id}`)];
        if (a !== b) ctx.violation(`MULTI ${id}: a=${a} b=${b} (a transaction applied in part)`);
      }
    },
  };
}
