/**
 * Numbered messages through pub/sub: one publisher (PUBLISH through the pool, each awaited, so
 * the server orders them) and one subscriber session on the same client. Every message is
 * received at most once, always, and in order — but for one whose PUBLISH failed after it was
 * sent, which may run later than the next (a black-holed socket delivers it when it wakes); and
 * exactly once when no unannounced fault was on between its PUBLISH and its acknowledgement
 * (maintenance carries subscriptions exactly once; a lost socket may lose what was published
 * while it was gone).
 */
import type { MaintClient } from '../../../src/index.js';
import { pause, type SoakContext } from '../context.js';
import type { Workload } from './workload.js';

const CHANNEL = 'soak:messages';
/** How long a published message may take to arrive once the workload stopped. */
const SETTLE_MS = 1000;

export function messages(ctx: SoakContext, client: MaintClient): Workload {
  const published = new Map<number, [number, number]>();
  const received = new Set<number>();
  /** PUBLISHes that failed after being sent: they may still run, late. */
  const uncertain = new Set<number>();
  let last = 0;
  let unsubscribe: (() => Promise<void>) | undefined;
  const publisher = async () => {
    let n = 0;
    while (ctx.running) {
      const message = ++n;
      const from = Date.now();
      try {
        await client.publish(CHANNEL, String(message));
        published.set(message, [from, Date.now()]);
        ctx.report.acknowledged.messagesPublished++;
      } catch (error) {
        if (ctx.failed('PUBLISH', error)) uncertain.add(message);
      }
      await pause(5);
    }
  };
  return {
    async start() {
      unsubscribe = await client.subscribe([CHANNEL], ({ message }) => {
        const n = Number(message);
        if (received.has(n)) ctx.violation(`${new Date().toISOString()} during ${ctx.current}: message ${n} received twice`);
        else if (n < last && !uncertain.has(n)) ctx.violation(`${new Date().toISOString()} during ${ctx.current}: message ${n} received after ${last} (out of order)`);
        received.add(n);
        last = Math.max(last, n);
        ctx.report.acknowledged.messagesReceived++;
      });
    },
    workers: [publisher],
    async check() {
      await pause(SETTLE_MS);
      await unsubscribe?.();
      const missing: Array<[number, number]> = [];
      for (const [n, [from, to]] of published) {
        if (received.has(n)) continue;
        if (ctx.faultOverlaps(from, to)) ctx.report.messagesLostInFaults++;
        else missing.push([n, from]);
      }
      const first = missing.slice(0, 3).map(([n, at]) => `${n} at ${new Date(at).toISOString()}`);
      if (missing.length > 0) ctx.violation(`${missing.length} messages published outside unannounced faults never received (first ${first.join(', ')})`);
    },
  };
}
