/**
 * `migrate` (alias `reshard`: a single-shard database reshards by moving its shard): MIGRATING to
 * every connection that opted in, replies slow down while the shard migrates, then MIGRATED
 * (unless the `drop_closing` fault is on). The shard ends on `endpoint` (default the node after
 * the active one), where the next `bind` moves the database to.
 */
import { migratedFrame, migratingFrame } from '../push-frames.js';
import type { ActionDefinition } from './index.js';
import { announceToAll, FAULT_PARAMETERS, notify, readFaults } from './notify.js';
import { Params } from './params.js';

export const migrateAction: ActionDefinition = {
  parse(raw, env) {
    const params = new Params(raw, ['time_s', 'duration_s', 'delay_ms', 'shards', 'drop_closing', 'endpoint', ...FAULT_PARAMETERS]);
    const timeS = params.number('time_s', 15);
    const durationS = params.number('duration_s', 10);
    const delayMs = params.number('delay_ms', 50, 0, 60_000);
    const shards = params.shards();
    const dropClosing = params.boolean('drop_closing');
    const faults = readFaults(params);
    const target = params.endpoint('endpoint', env.endpoints);

    return async (ctx) => {
      const seq = ctx.nextSeq();
      const { told, closeWindow } = announceToAll(ctx, 'MIGRATING', seq, faults, (elapsedS) => migratingFrame(seq, timeS - elapsedS, shards));
      const removeLatency = ctx.addLatency(`migrate:${ctx.actionId}`, delayMs);
      ctx.step('migrating', { seq, time_s: timeS, delay_ms: delayMs, connections: told });
      try {
        await ctx.sleep(durationS);
      } finally {
        removeLatency();
        closeWindow();
      }
      const active = ctx.activeEndpoint();
      const shardOn = ctx.endpoints[target ?? (active.index + 1) % ctx.endpoints.length]!;
      ctx.setShardEndpoint(shardOn === active ? null : shardOn);
      if (dropClosing) {
        ctx.step('closing-notification-dropped', { seq });
      } else {
        const count = notify(ctx.connections(), 'MIGRATED', seq, ctx.actionId, faults, () => migratedFrame(seq, shards));
        ctx.step('migrated', { seq, connections: count });
      }
      return { seq, shards, migrated_sent: !dropClosing, shard_endpoint: shardOn.address };
    };
  },
};
