/**
 * `bind` (alias `moving`): the database moves from the active endpoint to another one that
 * serves the same data. Realistic timing (SPEC §7): MOVING announces 15 s; the old endpoint keeps
 * forwarding for ≈ 8.5 s, then holds what it receives; at ≈ 17 s its sockets are cut and it stops
 * accepting. Connections opened on the old endpoint meanwhile are told too, with the time left.
 */
import { ConfigError } from '../../errors.js';
import { movingFrame } from '../push-frames.js';
import type { ProxyConnection } from '../proxy-connection.js';
import type { ActionContext, ActionDefinition } from './index.js';
import { FAULT_PARAMETERS, notify, readFaults } from './notify.js';
import { Params } from './params.js';

const DEFAULT_TIME_S = 15;
const SERVE_RATIO = 8.5 / 15;
const CLOSE_RATIO = 17 / 15;

export const bindAction: ActionDefinition = {
  parse(raw, env) {
    const params = new Params(raw, ['time_s', 'serve_s', 'close_s', 'endpoint', 'dns_follows_s', 'refuse_target_s', 'stall_target_s', ...FAULT_PARAMETERS]);
    if (env.endpoints.length < 2) throw new ConfigError('endpoints', env.endpoints.length, 'bind needs at least 2 endpoints');
    const timeS = params.number('time_s', DEFAULT_TIME_S);
    const closeS = params.number('close_s', timeS * CLOSE_RATIO);
    const serveS = params.number('serve_s', Math.min(timeS * SERVE_RATIO, closeS));
    if (serveS > closeS) throw new ConfigError('parameters.serve_s', serveS, `at most close_s (${closeS})`);
    const target = params.endpoint('endpoint', env.endpoints);
    // The old address is a name that DNS re-points to the new node this long after the MOVING
    // (what a client of type `none` relies on): connections opened on it from then on are the
    // new node's, and it keeps accepting. Without it, the old endpoint is retired at close_s.
    const dnsFollowsS = params.has('dns_follows_s') ? params.number('dns_follows_s', 0) : null;
    if (dnsFollowsS !== null && dnsFollowsS > closeS) throw new ConfigError('parameters.dns_follows_s', dnsFollowsS, `at most close_s (${closeS})`);
    const refuseS = params.number('refuse_target_s', 0);
    const stallS = params.number('stall_target_s', 0);
    const faults = readFaults(params);

    return async (ctx: ActionContext) => {
      const from = ctx.activeEndpoint();
      const to = ctx.endpoints[target ?? (from.index + 1) % ctx.endpoints.length];
      if (to === undefined || to === from) throw new Error(`endpoint ${to?.address ?? '?'} is already the active one`);
      if (to.state === 'retired') await to.open();
      const seq = ctx.nextSeq();
      const started = Date.now();
      // Fault timers run beside the main sequence; their failures (e.g. the simulator closing) must not go unhandled.
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
      ctx.setActiveEndpoint(to);
      const tell = (connections: Iterable<ProxyConnection>) =>
        notify(connections, 'MOVING', seq, ctx.actionId, faults, (connection) =>
          movingFrame(seq, timeS - (Date.now() - started) / 1000, to.port, connection.endpointType ?? 'none'),
        );
      const told = tell(ctx.connections(from));
      const followsAt = dnsFollowsS === null ? Infinity : started + dnsFollowsS * 1000;
      const onOldNode = (connection: ProxyConnection) => connection.endpoint === from.address && connection.openedAt < followsAt;
      const closeWindow = ctx.openWindow({
        applies: onOldNode,
        notice: (connection) => tell([connection]),
      });
      ctx.step('moving-sent', { seq, from: from.address, to: to.address, time_s: timeS, connections: told });
      const retiredHold = `retired:${ctx.actionId}`;
      const oldNode = () => ctx.connections(from).filter(onOldNode);
      try {
        await ctx.sleep(serveS);
        if (dnsFollowsS === null) from.hold(retiredHold);
        else for (const connection of oldNode()) connection.hold(retiredHold);
        ctx.step('old-endpoint-stopped-serving', { endpoint: from.address });
        await ctx.sleep(closeS - serveS);
        if (dnsFollowsS === null) {
          from.stopListening('retired');
          from.cutAll('endpoint retired');
        } else {
          for (const connection of oldNode()) connection.close('endpoint retired');
        }
        ctx.step('old-endpoint-closed', { endpoint: from.address, ...(dnsFollowsS === null ? {} : { dns_follows_s: dnsFollowsS }) });
        await Promise.all(background);
      } finally {
        closeWindow();
        if (dnsFollowsS === null) from.release(retiredHold);
        else for (const connection of ctx.connections(from)) connection.release(retiredHold);
      }
      return { seq, from: from.address, to: to.address, time_s: timeS };
    };
  },
};
