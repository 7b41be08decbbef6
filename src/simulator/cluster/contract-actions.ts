/**
 * The fault-injector contract's generic actions in cluster mode, with the standalone shapes:
 * - `sequence_of_actions {actions: [{type, params, delay?}]}`: cluster actions in order under one
 *   id, all validated first (actions/sequence.ts reads it);
 * - `execute_rladmin_command {rladmin_command}` (and `POST /rladmin`): `status` (rladmin-status.ts);
 *   `failover … shard S` → `failover` and `bind endpoint ID policy P` → `bind` of the owner of
 *   slot 0, with the per-type defaults' timing. Other commands → 400.
 */
import { ConfigError } from '../../errors.js';
import { rladminWords } from '../actions/rladmin.js';
import { parseSequence, runSequence } from '../actions/sequence.js';
import type { Params } from '../actions/params.js';
import { delay } from '../timing.js';
import type { ClusterPlan } from './actions.js';
import { clusterRladminStatus } from './rladmin-status.js';

/** Validates another cluster action (with the simulator's per-type defaults). */
export type ClusterPlanner = (type: unknown, parameters: unknown) => ClusterPlan;

export function planClusterSequence(raw: Record<string, unknown>, plan: ClusterPlanner): ClusterPlan {
  const steps = parseSequence(raw, plan);
  return (core) => runSequence(steps, core, { sleep: (seconds) => delay(seconds * 1000, core.signal), step: (step, detail) => core.step(step, detail) });
}

const KNOWN = "'status', 'failover … shard S' or 'bind endpoint ID policy P'";

export function planClusterRladmin(params: Params, plan: ClusterPlanner): ClusterPlan {
  const text = params.string('rladmin_command') ?? '';
  const name = params.string('database_name') ?? 'cluster';
  const { words, bdbId = params.bdbId() } = rladminWords(text);
  const command = words[0]?.toLowerCase();
  if (command === 'status') return async (core) => ({ output: await clusterRladminStatus(core, { bdbId, name }) });
  const mapped = command === 'failover' && words.includes('shard') ? plan('failover', {}) : command === 'bind' && words.includes('endpoint') ? plan('bind', {}) : null;
  if (mapped === null) throw new ConfigError('parameters.rladmin_command', text, KNOWN);
  return async (core) => {
    core.step('rladmin', { command: words.join(' ') });
    return { ...(await mapped(core)), output: 'Done' };
  };
}
