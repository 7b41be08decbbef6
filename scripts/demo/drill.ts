/**
 * The scripted maintenance drill: migrate, failover, bind (MOVING), spread over the workload's
 * duration with steady stretches before, between and after, so each action stands out on the
 * charts. For endpoint type `none` the MOVING names no endpoint: the client reconnects to the
 * address it was configured with after timeS/2, which DNS re-points to the new node before then.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionRequest, EndpointType, MaintSimulator } from '../../src/simulator/index.js';
import type { PhaseName } from './stats.js';

export interface DrillStep<R extends { parameters?: object } = ActionRequest> {
  phase: Exclude<PhaseName, 'steady'>;
  request: R;
  /** Roughly how long the action runs, for spacing the drill. */
  estimateS: number;
}

export function planDrill(endpointType: EndpointType, timeS: number): DrillStep[] {
  const bind: ActionRequest =
    endpointType === 'none'
      ? { type: 'bind', parameters: { time_s: timeS, dns_follows_s: round(timeS * 0.3) } }
      : { type: 'bind', parameters: { time_s: timeS } };
  return [
    { phase: 'migrate', request: { type: 'migrate', parameters: { time_s: timeS, duration_s: round(timeS / 2), delay_ms: 50 } }, estimateS: timeS / 2 },
    { phase: 'failover', request: { type: 'failover', parameters: { time_s: timeS } }, estimateS: 1.5 },
    { phase: 'bind', request: bind, estimateS: (timeS * 17) / 15 },
  ];
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export interface DrillListener {
  /** A step starts (phase = the action) or ends (phase = steady, with the outcome). */
  phase(phase: PhaseName, text: string): void;
}

export interface DrillOutcome {
  /** Per action: `ok` or the simulator's error. */
  results: Array<{ phase: DrillStep['phase']; ok: boolean; error?: string; seconds: number }>;
  aborted: boolean;
}

/** What runs the steps: the standalone simulator, or the cluster simulator with its own requests. */
export interface DrillTarget<R> {
  run(request: R): Promise<{ output: Record<string, unknown> }>;
}

/** Runs the steps; the steady stretches stretch so that the whole takes about `durationS`. */
export async function runDrill<R extends { parameters?: object } = ActionRequest>(sim: DrillTarget<R> | MaintSimulator, steps: DrillStep<R>[], durationS: number, listener: DrillListener, signal: AbortSignal): Promise<DrillOutcome> {
  const deadline = performance.now() + durationS * 1000;
  const results: DrillOutcome['results'] = [];
  const wait = async (seconds: number) => {
    await sleep(Math.max(0, seconds) * 1000, undefined, { signal }).catch(() => undefined);
    return !signal.aborted;
  };
  const spare = (from: number) => {
    const left = (deadline - performance.now()) / 1000 - steps.slice(from).reduce((sum, step) => sum + step.estimateS, 0);
    return left / (steps.length - from + 1);
  };
  listener.phase('steady', `steady workload, ${steps.length} actions ahead`);
  if (!(await wait(Math.max(1, spare(0))))) return { results, aborted: true };
  for (const [index, step] of steps.entries()) {
    const started = performance.now();
    const parameters = Object.entries(step.request.parameters ?? {}).map(([key, value]) => `${key}=${String(value)}`);
    listener.phase(step.phase, `${step.phase}: ${parameters.join(' ')}`);
    try {
      const result = await (sim as DrillTarget<R>).run(step.request);
      const seconds = (performance.now() - started) / 1000;
      results.push({ phase: step.phase, ok: true, seconds });
      listener.phase('steady', `${step.phase} done in ${seconds.toFixed(1)} s${describe(result.output)}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.push({ phase: step.phase, ok: false, error: message, seconds: (performance.now() - started) / 1000 });
      listener.phase('steady', `${step.phase} failed: ${message}`);
      if (signal.aborted) return { results, aborted: true };
    }
    // Settle: the commands the action held finish, and the chart shows steady state again.
    if (!(await wait(Math.max(1, spare(index + 1))))) return { results, aborted: true };
  }
  return { results, aborted: false };
}

function describe(output: Record<string, unknown>): string {
  const { from, to } = output;
  return typeof from === 'string' && typeof to === 'string' ? ` (${from} → ${to})` : '';
}
