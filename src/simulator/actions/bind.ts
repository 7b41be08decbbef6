/**
 * `bind` (alias `moving`): the database moves to another endpoint (node) that serves the same
 * data. Realistic timing (SPEC §7): MOVING announces 15 s; the old node keeps forwarding for
 * ≈ 8.5 s, then holds what it receives; at ≈ 17 s the sockets still on it are cut.
 *
 * Who is told: every opted-in connection not already on the target node — wherever it is,
 * including connections that reached an address after an earlier bind had re-pointed it — and,
 * while the move lasts, each such connection that opts in later (with the time left).
 *
 * The old address follows the move by default, as a managed database's DNS name does: from
 * `dns_follows_s` on, connections opened on it belong to the new node (not told, held or cut) and
 * it keeps accepting. With `retire: true` it stops accepting at `close_s` instead.
 */
import { ConfigError } from '../../errors.js';
import { movingFrameTo } from '../push-frames.js';
import type { ProxyConnection } from '../proxy-connection.js';
import type { ActionContext, ActionDefinition } from './index.js';
import { FAULT_PARAMETERS, notify, readFaults } from './notify.js';
import { Params } from './params.js';

const DEFAULT_TIME_S = 15;
const SERVE_RATIO = 8.5 / 15;
const CLOSE_RATIO = 17 / 15;
/** DNS follows ≈ 7 s after a 15 s MOVING: before a client of type `none` reconnects (at timeS/2). */
const FOLLOW_RATIO = 7 / 15;

export const bindAction: ActionDefinition = {
  parse(raw, env) {
    const params = new Params(raw, ['time_s', 'serve_s', 'close_s', 'endpoint', 'dns_follows_s', 'retire', 'refuse_target_s', 'stall_target_s', ...FAULT_PARAMETERS]);
    if (env.endpoints.length < 2) throw new ConfigError('endpoints', env.endpoints.length, 'bind needs at least 2 endpoints');
    const timeS = params.number('time_s', DEFAULT_TIME_S);
    const closeS = params.number('close_s', timeS * CLOSE_RATIO);
    const serveS = params.number('serve_s', Math.min(timeS * SERVE_RATIO, closeS));
    if (serveS > closeS) throw new ConfigError('parameters.serve_s', serveS, `at most close_s (${closeS})`);
    const target = params.endpoint('endpoint', env.endpoints);
    const retire = params.boolean('retire');
    if (retire && params.has('dns_follows_s')) throw new ConfigError('parameters.dns_follows_s', params.number('dns_follows_s', 0), 'not with retire: true (a retired address follows nothing)');
    const dnsFollowsS = retire ? null : params.number('dns_follows_s', Math.min(timeS * FOLLOW_RATIO, closeS));
    if (dnsFollowsS !== null && dnsFollowsS > closeS) throw new ConfigError('parameters.dns_follows_s', dnsFollowsS, `at most close_s (${closeS})`);
    const refuseS = params.number('refuse_target_s', 0);
    const stallS = params.number('stall_target_s', 0);
    const faults = readFaults(params);

    return async (ctx: ActionContext) => {
      const from = ctx.activeEndpoint();
      // By default where a `migrate` put the shard, else the next node.
      const shard = ctx.shardEndpoint();
      const to = ctx.endpoints[target ?? (shard !== from ? shard.index : (from.index + 1) % ctx.endpoints.length)];
      if (to === undefined || to === from) throw new Error(`endpoint ${to?.address ?? '?'} is already the active one`);
      if (to.state === 'retired') await to.open();
      const seq = ctx.nextSeq();
      const started = Date.now();
      // Timers beside the main sequence; their failures (e.g. the simulator closing) must not go unhandled.
      const background: Array<Promise<unknown>> = [];
      const beside = (work: Promise<void>) => background.push(work.catch((error: unknown) => error));
      if (refuseS > 0) {
        to.stopListening('refusing');
        beside(ctx.sleep(refuseS).then(() => to.open()));
      }
      if (stallS > 0) {
        const reason = `stall:${ctx.actionId}`;
        to.hold(reason);
        beside(ctx.sleep(stallS).then(() => to.release(reason)));
      }
      to.leadsTo = to;
      ctx.setActiveEndpoint(to);
      ctx.setShardEndpoint(null);
      const leaving = (connection: ProxyConnection) => connection.node !== to.address;
      const tell = (connections: Iterable<ProxyConnection>) =>
        notify(connections, 'MOVING', seq, ctx.actionId, faults, (connection) =>
          movingFrameTo(seq, timeS - (Date.now() - started) / 1000, to.announce(connection.endpointType ?? 'none')),
        );
      const told = tell(ctx.connections().filter(leaving));
      const closeWindow = ctx.openWindow({ applies: leaving, notice: (connection) => tell([connection]) });
      ctx.step('moving-sent', { seq, from: from.address, to: to.address, time_s: timeS, connections: told });
      if (dnsFollowsS !== null) {
        beside(
          ctx.sleep(dnsFollowsS).then(() => {
            // Unless a later bind re-pointed them meanwhile.
            if (ctx.activeEndpoint() !== to) return;
            for (const address of ctx.addresses) if (address.leadsTo === from) address.leadsTo = to;
            ctx.step('dns-followed', { from: from.address, to: to.address });
          }),
        );
      }
      const hold = `retired:${ctx.actionId}`;
      try {
        await ctx.sleep(serveS);
        if (retire) from.hold(hold);
        for (const connection of ctx.connections().filter(leaving)) connection.hold(hold);
        ctx.step('old-endpoint-stopped-serving', { endpoint: from.address });
        await ctx.sleep(closeS - serveS);
        if (retire) {
          from.stopListening('retired');
          from.cutAll('endpoint retired');
          // A database address cannot lead to a retired node: it follows now at the latest.
          for (const address of ctx.addresses) if (address !== from && address.leadsTo === from) address.leadsTo = to;
        }
        for (const connection of ctx.connections().filter(leaving)) connection.close('endpoint retired');
        ctx.step('old-endpoint-closed', { endpoint: from.address, ...(retire ? { retired: true } : { dns_follows_s: dnsFollowsS }) });
        await Promise.all(background);
      } finally {
        closeWindow();
        from.release(hold);
        for (const connection of ctx.connections()) connection.release(hold);
      }
      return { seq, from: from.address, to: to.address, time_s: timeS, retired: retire };
    };
  },
};
