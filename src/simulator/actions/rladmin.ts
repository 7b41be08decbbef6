/**
 * `execute_rladmin_command {rladmin_command: 'status'}`: some versions of the official suites log
 * the cluster status before every action. Only `status` is known; it describes the simulator's
 * endpoints and servers in a few lines of text (not rladmin's table).
 */
import { ConfigError } from '../../errors.js';
import type { ActionDefinition } from './index.js';
import { Params } from './params.js';

export const rladminAction: ActionDefinition = {
  parse(raw) {
    const params = new Params(raw, ['rladmin_command']);
    const command = params.string('rladmin_command') ?? '';
    if (command.trim().toLowerCase() !== 'status') throw new ConfigError('parameters.rladmin_command', command, "'status' (the only rladmin command the simulator knows)");

    return async (ctx) => {
      const active = ctx.activeEndpoint();
      const lines = [
        `ENDPOINTS: ${ctx.endpoints.map((endpoint) => `${endpoint.address} ${endpoint.state}${endpoint === active ? ' active' : ''}`).join(', ')}`,
        `UPSTREAM: ${ctx.topology.current().host}:${ctx.topology.current().port}${ctx.topology.spawned ? ' (spawned primary)' : ''}`,
        `CLIENT_MAINT_NOTIFICATIONS: ${ctx.notificationsEnabled() ? 'enabled' : 'disabled'}`,
      ];
      return { output: lines.join('\n') };
    };
  },
};
