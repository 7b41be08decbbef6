/**
 * `failover`: FAILING_OVER, then either a real failover (spawned servers: requests are held, the
 * in-flight ones drain, the replica is promoted and every connection is moved to it with its
 * state) or a stall of upstream traffic (a given upstream), then FAILED_OVER.
 *
 * A spawned promotion takes well under a second here, so FAILED_OVER waits until at least
 * `min_duration_s` after FAILING_OVER (default time_s / 5: 3 s for the default 15 s, longer than
 * the relaxed timeout the official suites use), traffic flowing again meanwhile.
 */
import { failedOverFrame, failingOverFrame } from '../push-frames.js';
import { waitFor } from '../timing.js';
import type { ActionContext, ActionDefinition } from './index.js';
import { announceToAll, FAULT_PARAMETERS, notify, readFaults } from './notify.js';
import { Params } from './params.js';

export const failoverAction: ActionDefinition = {
  parse(raw) {
    const params = new Params(raw, ['time_s', 'stall_s', 'min_duration_s', 'drain_timeout_s', 'timeout_s', 'shards', 'drop_closing', ...FAULT_PARAMETERS]);
    const timeS = params.number('time_s', 15);
    const minDurationS = params.number('min_duration_s', timeS / 5);
    const stallS = params.number('stall_s', 2);
    const drainTimeoutS = params.number('drain_timeout_s', 5);
    const timeoutS = params.number('timeout_s', 10, 0.1);
    const shards = params.shards();
    const dropClosing = params.boolean('drop_closing');
    const faults = readFaults(params);

    return async (ctx) => {
      const seq = ctx.nextSeq();
      const started = Date.now();
      const { told, closeWindow } = announceToAll(ctx, 'FAILING_OVER', seq, faults, (elapsedS) => failingOverFrame(seq, timeS - elapsedS, shards));
      ctx.step('failing-over', { seq, time_s: timeS, connections: told });
      const release = ctx.holdAll(`failover:${ctx.actionId}`);
      let output: Record<string, unknown>;
      try {
        output = ctx.topology.spawned ? await promote(ctx, drainTimeoutS, timeoutS) : await stall(ctx, stallS);
        release();
        if (ctx.topology.spawned) {
          const leftS = minDurationS - (Date.now() - started) / 1000;
          if (leftS > 0) await ctx.sleep(leftS);
          output['min_duration_s'] = minDurationS;
        }
      } finally {
        release();
        closeWindow();
      }
      if (dropClosing) {
        ctx.step('closing-notification-dropped', { seq });
      } else {
        const count = notify(ctx.connections(), 'FAILED_OVER', seq, ctx.actionId, faults, () => failedOverFrame(seq, shards));
        ctx.step('failed-over', { seq, connections: count });
      }
      return { seq, shards, failed_over_sent: !dropClosing, ...output };
    };
  },
};

async function stall(ctx: ActionContext, stallS: number): Promise<Record<string, unknown>> {
  ctx.step('upstream-stalled', { stall_s: stallS });
  await ctx.sleep(stallS);
  return { mode: 'stall', stall_s: stallS };
}

async function promote(ctx: ActionContext, drainTimeoutS: number, timeoutS: number): Promise<Record<string, unknown>> {
  const drained = await waitFor(() => ctx.connections().every((c) => c.inFlight === 0), drainTimeoutS * 1000, 'drain', ctx.signal).then(
    () => true,
    (error: unknown) => {
      if (ctx.signal.aborted) throw error;
      return false; // connections still owing replies are closed when moved
    },
  );
  ctx.step('promoting', { drained });
  const { from, to } = await ctx.topology.failover(timeoutS * 1000, ctx.signal);
  // Held requests (a publisher's PUBLISH) go out only once every moved subscriber is subscribed
  // again on the new primary, so that none of them misses a message published after the failover.
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, timeoutS * 1000, false)));
  const replayed = await Promise.race([ctx.moveUpstream(to).then(() => true), bound]);
  clearTimeout(timer);
  const detail = { mode: 'promote', from: `${from.host}:${from.port}`, to: `${to.host}:${to.port}`, replayed };
  ctx.step('promoted', detail);
  return detail;
}
