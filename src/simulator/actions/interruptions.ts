/**
 * Connection interruptions nobody announces, as the official suites' "connection interruption"
 * tests trigger them with only `{bdb_id}`:
 * - `dmc_restart`: the proxy restarts — every client connection is dropped, the addresses refuse
 *   dials for `down_s`, then accept again (same ports);
 * - `network_failure`: traffic to the database's nodes is cut for `delay` seconds (go-redis's
 *   parameter name; `duration_s` too) and restored by itself — sockets stay open and nothing
 *   is answered, new dials included, as a dropped-packet firewall rule does (the `blackhole`
 *   fault under the contract's name).
 */
import { ConfigError } from '../../errors.js';
import type { ActionDefinition } from './index.js';
import { Params } from './params.js';

export const dmcRestartAction: ActionDefinition = {
  parse(raw) {
    const params = new Params(raw, ['down_s']);
    const downS = params.number('down_s', 1, 0, 600);

    return async (ctx) => {
      const restarting = ctx.addresses.filter((address) => address.state === 'serving');
      for (const address of restarting) address.stopListening('refusing');
      const dropped = ctx.connections().map((connection) => connection.id);
      for (const connection of ctx.connections()) connection.close('proxy restart');
      ctx.step('proxy-down', { connections: dropped, down_s: downS });
      try {
        await ctx.sleep(downS);
      } finally {
        // Not when the simulator is closing: it stops every address itself.
        if (!ctx.signal.aborted) for (const address of restarting) if (address.state === 'refusing') await address.open();
      }
      ctx.step('proxy-up', { addresses: restarting.map((address) => address.address) });
      return { dropped, down_s: downS };
    };
  },
};

export const networkFailureAction: ActionDefinition = {
  parse(raw) {
    const params = new Params(raw, ['delay', 'duration_s']);
    if (params.has('delay') && params.has('duration_s')) throw new ConfigError('parameters.duration_s', params.number('duration_s', 0), 'not together with delay (the same duration)');
    const durationS = params.has('duration_s') ? params.number('duration_s', 0, 0.001, 3600) : params.number('delay', 5, 0.001, 3600);

    return async (ctx) => {
      const restore = ctx.holdAll(`network_failure:${ctx.actionId}`);
      ctx.step('network-down', { duration_s: durationS, connections: ctx.connections().length });
      try {
        await ctx.sleep(durationS);
      } finally {
        restore();
      }
      ctx.step('network-restored', {});
      return { duration_s: durationS };
    };
  },
};
