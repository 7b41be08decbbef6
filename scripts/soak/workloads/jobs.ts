/**
 * A producer of numbered jobs (RPUSH) and BLPOP consumers on dedicated connections: no job is
 * consumed twice, and every acknowledged job is consumed or still queued at the end (exactly
 * once), unless a BLPOP failed after it was sent (it may have taken one).
 */
import type { MaintClient } from '../../../src/index.js';
import { pause, type SoakContext } from '../context.js';
import type { Workload } from './workload.js';

const QUEUE = 'soak:jobs';

export function jobs(ctx: SoakContext, client: MaintClient, consumers: number): Workload {
  const pushed = new Set<string>();
  const consumed = new Set<string>();
  let popsMaybeLost = 0;
  const producer = async () => {
    let n = 0;
    while (ctx.running) {
      const job = String(++n);
      try {
        await client.rpush(QUEUE, job);
        pushed.add(job);
        ctx.report.acknowledged.jobsPushed++;
      } catch (error) {
        // A push that may have run: the job may be consumed without being known as pushed.
        if (ctx.failed('RPUSH', error)) pushed.add(`?${job}`);
      }
      await pause(5);
    }
  };
  const consumer = async () => {
    while (ctx.running) {
      try {
        const got = await client.blpop(QUEUE, 1);
        if (got === null) continue;
        const job = got[1];
        if (consumed.has(job)) ctx.violation(`job ${job} consumed twice`);
        consumed.add(job);
        ctx.report.acknowledged.jobsConsumed++;
      } catch (error) {
        if (ctx.failed('BLPOP', error)) popsMaybeLost++;
        await pause(10);
      }
    }
  };
  return {
    workers: [producer, ...Array.from({ length: consumers }, () => consumer)],
    async check() {
      const left = new Set((await client.lrange(QUEUE, 0, -1)) as string[]);
      let lost = 0;
      for (const job of pushed) if (!job.startsWith('?') && !consumed.has(job) && !left.has(job)) lost++;
      if (lost > popsMaybeLost) ctx.violation(`${lost} acknowledged jobs neither consumed nor queued (only ${popsMaybeLost} BLPOPs failed after being sent)`);
    },
  };
}
