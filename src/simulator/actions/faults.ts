/**
 * Connection faults as actions: `latency` (slow every reply), `cut` (end a connection, by default
 * mid-reply) and `blackhole` (keep every socket open and forward nothing, announced to no one).
 */
import type { ProxyConnection } from '../proxy-connection.js';
import { delay } from '../timing.js';
import type { ActionDefinition } from './index.js';
import { Params } from './params.js';

export const latencyAction: ActionDefinition = {
  parse(raw) {
    const params = new Params(raw, ['delay_ms', 'duration_s']);
    const delayMs = params.required('delay_ms', 0, 60_000);
    const durationS = params.has('duration_s') ? params.number('duration_s', 0) : null;

    return async (ctx) => {
      const remove = ctx.addLatency('latency', delayMs);
      ctx.step('latency-set', { delay_ms: delayMs });
      if (durationS !== null) {
        try {
          await ctx.sleep(durationS);
        } finally {
          remove();
        }
        ctx.step('latency-removed', {});
      }
      return { delay_ms: delayMs, duration_s: durationS };
    };
  },
};

export const cutAction: ActionDefinition = {
  parse(raw) {
    const params = new Params(raw, ['connection_id', 'mid_reply', 'timeout_s']);
    const connectionId = params.string('connection_id');
    const midReply = params.has('mid_reply') ? params.boolean('mid_reply') : true;
    const timeoutS = params.number('timeout_s', 10);

    return async (ctx) => {
      let targets: ProxyConnection[];
      if (connectionId === undefined) targets = ctx.connections();
      else {
        const connection = ctx.connection(connectionId);
        if (connection === undefined) throw new Error(`no open connection ${connectionId}`);
        targets = [connection];
      }
      const ids = targets.map((connection) => connection.id);
      if (!midReply) {
        for (const connection of targets) connection.close('cut');
        ctx.step('cut', { connections: ids });
        return { cut: ids };
      }
      ctx.step('armed', { connections: ids });
      const timeout = new AbortController();
      const cuts = Promise.all(targets.map((connection) => connection.cutMidReply()));
      const gaveUp = delay(timeoutS * 1000, AbortSignal.any([ctx.signal, timeout.signal])).then(() => true, () => false);
      const timedOut = await Promise.race([cuts.then(() => false), gaveUp]);
      timeout.abort();
      if (timedOut) {
        for (const connection of targets) connection.cancelCut();
        throw new Error(`no reply to cut within ${timeoutS} s`);
      }
      ctx.step('cut', { connections: ids });
      return { cut: ids };
    };
  },
};

export const blackholeAction: ActionDefinition = {
  parse(raw) {
    const params = new Params(raw, ['duration_s']);
    const durationS = params.required('duration_s', 0.001, 3600);

    return async (ctx) => {
      const releaseAll = ctx.holdAll('blackhole');
      ctx.step('blackhole-on', { duration_s: durationS });
      try {
        await ctx.sleep(durationS);
      } finally {
        releaseAll();
      }
      ctx.step('blackhole-off', {});
      return { duration_s: durationS };
    };
  },
};
