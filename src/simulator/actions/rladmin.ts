/**
 * `execute_rladmin_command {rladmin_command}` (also `POST /rladmin` with the command as text):
 * the rladmin commands the official suites send, mapped onto the simulator's actions.
 * - `status` → the status table (rladmin-status.ts): node-redis logs it, redis-py parses it;
 * - `migrate node A all_shards target_node B` (any `migrate … [target_node B]`) → `migrate`, the
 *   master shard ends on node B (default: the node after the active one);
 * - `bind endpoint ID policy P` → `bind` to the node the shard is on (or the next one);
 * - `failover [db db:N] shard S` → `failover`.
 * A leading `rladmin` and `-b N` (redis-py's raw form) are accepted. Node k is endpoint k-1.
 * The timing of the mapped actions is the simulator's per-type defaults.
 */
import { ConfigError } from '../../errors.js';
import type { ActionDefinition, ActionEnvironment, ActionPlan } from './index.js';
import { Params } from './params.js';
import { rladminStatus } from './rladmin-status.js';

const KNOWN = "'status', 'migrate … target_node N', 'bind endpoint ID policy P' or 'failover … shard S'";

/** The command's words without a leading `rladmin` and `-b N`, and the database that `-b` named. */
export function rladminWords(text: string): { words: string[]; bdbId: number | undefined } {
  const words = text.trim().split(/\s+/).filter((word) => word !== '');
  if (words[0]?.toLowerCase() === 'rladmin') words.shift();
  let bdbId: number | undefined;
  if (words[0] === '-b' && words[1] !== undefined && /^\d+$/.test(words[1])) {
    bdbId = Number(words[1]);
    words.splice(0, 2);
  }
  return { words, bdbId };
}

function targetNode(words: string[], env: ActionEnvironment, text: string): number | undefined {
  const at = words.indexOf('target_node');
  if (at < 0) return undefined;
  const node = Number(words[at + 1]);
  if (!Number.isInteger(node) || node < 1 || node > env.endpoints.length) {
    throw new ConfigError('parameters.rladmin_command', text, `a target_node from 1 to ${env.endpoints.length} (node k is endpoint k-1)`);
  }
  return node - 1;
}

function mapped(words: string[], env: ActionEnvironment, text: string): ActionPlan | null {
  switch (words[0]?.toLowerCase()) {
    case 'migrate': {
      const target = targetNode(words, env, text);
      return env.plan('migrate', target === undefined ? {} : { endpoint: target });
    }
    case 'bind':
      return words.includes('endpoint') ? env.plan('bind', {}) : null;
    case 'failover':
      return words.includes('shard') ? env.plan('failover', {}) : null;
    default:
      return null;
  }
}

export const rladminAction: ActionDefinition = {
  parse(raw, env) {
    const params = new Params(raw, ['rladmin_command', 'database_name']);
    const text = params.string('rladmin_command') ?? '';
    const name = params.string('database_name') ?? 'standalone';
    const { words, bdbId = params.bdbId() } = rladminWords(text);
    if (words[0]?.toLowerCase() === 'status') {
      return async (ctx) => ({ output: rladminStatus(ctx, { bdbId, name }) });
    }
    const plan = mapped(words, env, text);
    if (plan === null) throw new ConfigError('parameters.rladmin_command', text, KNOWN);
    return async (ctx) => {
      ctx.step('rladmin', { command: words.join(' ') });
      return { ...(await plan(ctx)), output: 'Done' };
    };
  },
};
