/**
 * `sequence_of_actions {actions: [{type, params, delay?}]}`: runs the actions one after another
 * under one action id (what the official suites' "migrate, then bind" uses). Every sub-action is
 * validated before the first one starts. Sub-actions carry `params` (the contract's spelling);
 * `parameters` is accepted too. `delay` is a wait before the sub-action in nanoseconds (a Go
 * `time.Duration`, as go-redis sends it). The cluster mode reads its sequences with the same
 * {@link parseSequence}.
 */
import { ConfigError } from '../../errors.js';
import type { ActionDefinition } from './index.js';
import { Params } from './params.js';

const SUB_KEYS = new Set(['type', 'params', 'parameters', 'delay']);

/** One validated step of a sequence: its type, the wait before it (s) and its plan. */
export interface SequenceStepPlan<P> {
  type: string;
  delayS: number;
  plan: P;
}

/** Validates a sequence's parameters; `plan` validates each sub-action (throwing a ConfigError). */
export function parseSequence<P>(raw: unknown, plan: (type: unknown, parameters: unknown) => P): Array<SequenceStepPlan<P>> {
  const params = new Params(raw, ['actions', 'bdbId']);
  const list = params.array('actions');
  if (list.length === 0) throw new ConfigError('parameters.actions', list, 'at least one action');
  return list.map((item, index) => {
    const name = `parameters.actions[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ConfigError(name, item, 'an object {type, params}');
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!SUB_KEYS.has(key)) throw new ConfigError(`${name}.${key}`, entry[key], 'unknown key; expected type, params, delay');
    if (entry['type'] === 'sequence_of_actions') throw new ConfigError(`${name}.type`, entry['type'], 'an action other than sequence_of_actions');
    const delay = entry['delay'] ?? 0;
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw new ConfigError(`${name}.delay`, delay, 'nanoseconds, ≥ 0');
    try {
      return { type: String(entry['type']), delayS: delay / 1e9, plan: plan(entry['type'], entry['params'] ?? entry['parameters']) };
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(name, entry['type'], error.message);
      throw error;
    }
  });
}

/** Runs the steps in order: waits, reports `sequence-step`, runs; the output lists each step's. */
export async function runSequence<C>(
  steps: ReadonlyArray<SequenceStepPlan<(ctx: C) => Promise<Record<string, unknown>>>>,
  ctx: C,
  hooks: { sleep(seconds: number): Promise<void>; step(step: string, detail: Record<string, unknown>): void },
): Promise<Record<string, unknown>> {
  const outputs: Array<Record<string, unknown>> = [];
  for (const [index, step] of steps.entries()) {
    if (step.delayS > 0) await hooks.sleep(step.delayS);
    hooks.step('sequence-step', { index, type: step.type });
    outputs.push({ type: step.type, ...(await step.plan(ctx)) });
  }
  return { actions: outputs };
}

export const sequenceAction: ActionDefinition = {
  parse(raw, env) {
    const steps = parseSequence(raw, env.plan);
    return (ctx) => runSequence(steps, ctx, { sleep: (seconds) => ctx.sleep(seconds), step: (step, detail) => ctx.step(step, detail) });
  },
};
