/**
 * `sequence_of_actions {actions: [{type, params, delay?}]}`: runs the actions one after another
 * under one action id (what the official suites' "migrate, then bind" uses). Every sub-action is
 * validated before the first one starts. Sub-actions carry `params` (the contract's spelling);
 * `parameters` is accepted too. `delay` is a wait before the sub-action in nanoseconds (a Go
 * `time.Duration`, as go-redis sends it).
 */
import { ConfigError } from '../../errors.js';
import type { ActionDefinition, ActionPlan } from './index.js';
import { Params } from './params.js';

const SUB_KEYS = new Set(['type', 'params', 'parameters', 'delay']);

export const sequenceAction: ActionDefinition = {
  parse(raw, env) {
    const params = new Params(raw, ['actions', 'bdbId']);
    const list = params.array('actions');
    if (list.length === 0) throw new ConfigError('parameters.actions', list, 'at least one action');
    const steps = list.map((item, index): { type: string; delayS: number; plan: ActionPlan } => {
      const name = `parameters.actions[${index}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ConfigError(name, item, 'an object {type, params}');
      const entry = item as Record<string, unknown>;
      for (const key of Object.keys(entry)) if (!SUB_KEYS.has(key)) throw new ConfigError(`${name}.${key}`, entry[key], 'unknown key; expected type, params, delay');
      if (entry['type'] === 'sequence_of_actions') throw new ConfigError(`${name}.type`, entry['type'], 'an action other than sequence_of_actions');
      const delay = entry['delay'] ?? 0;
      if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw new ConfigError(`${name}.delay`, delay, 'nanoseconds, ≥ 0');
      try {
        return { type: String(entry['type']), delayS: delay / 1e9, plan: env.plan(entry['type'], entry['params'] ?? entry['parameters']) };
      } catch (error) {
        if (error instanceof ConfigError) throw new ConfigError(name, entry['type'], error.message);
        throw error;
      }
    });

    return async (ctx) => {
      const outputs: Array<Record<string, unknown>> = [];
      for (const [index, step] of steps.entries()) {
        if (step.delayS > 0) await ctx.sleep(step.delayS);
        ctx.step('sequence-step', { index, type: step.type });
        outputs.push({ type: step.type, ...(await step.plan(ctx)) });
      }
      return { actions: outputs };
    };
  },
};
