/**
 * `update_cluster_config {config: {client_maint_notifications: bool}}`: the server-side switch of
 * managed Redis. Off, the opt-in is refused as an open-source server refuses it and no
 * notification is sent, not even to connections that opted in earlier.
 */
import { ConfigError } from '../../errors.js';
import type { ActionDefinition } from './index.js';
import { Params } from './params.js';

/** Cluster settings the simulator knows; others are refused so that a typo is not silently ignored. */
const KNOWN = new Set(['client_maint_notifications']);

export const clusterConfigAction: ActionDefinition = {
  parse(raw) {
    const params = new Params(raw, ['config']);
    const config = params.object('config');
    for (const key of Object.keys(config)) {
      if (!KNOWN.has(key)) throw new ConfigError(`parameters.config.${key}`, config[key], `unknown setting; expected one of ${[...KNOWN].join(', ')}`);
    }
    const enabled = config['client_maint_notifications'];
    if (enabled !== undefined && typeof enabled !== 'boolean') throw new ConfigError('parameters.config.client_maint_notifications', enabled, 'true or false');

    return async (ctx) => {
      if (enabled !== undefined) ctx.setNotificationsEnabled(enabled);
      const now = ctx.notificationsEnabled();
      ctx.step('cluster-config', { client_maint_notifications: now });
      return { client_maint_notifications: now };
    };
  },
};
