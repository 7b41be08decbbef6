/**
 * Bookkeeping of actions: ids, status (`pending → running → success | failed`), the events that
 * report them, and the promise `run()` awaits. A failed action never becomes an unhandled
 * rejection: its status says why.
 */
import { randomUUID } from 'node:crypto';
import type { ActionContext } from './actions/index.js';
import type { ActionResult, ActionStatus, ActionType, SimulatorEvent } from './types.js';

const KEEP = 1000;

/** An action event (`action.started` / `.step` / `.finished`) whose `action` is of type T. */
export type ActionEvent<T extends string = ActionType> = Retyped<Extract<SimulatorEvent, { action: ActionType }>, T>;
type Retyped<E, T> = E extends { action: ActionType } ? Omit<E, 'action'> & { action: T } : never;
/** An action's status with its type of type T. */
export type RunnerStatus<T extends string = ActionType> = Omit<ActionStatus, 'type'> & { type: T };
type RunnerResult<T extends string> = Omit<ActionResult, 'type'> & { type: T };

interface ActionRecord<T extends string> {
  status: RunnerStatus<T>;
  done: Promise<RunnerResult<T>>;
}

/** The bookkeeping, for the standalone simulator's actions (the defaults) or another set (the cluster mode's). */
export class ActionRunner<Context = ActionContext, T extends string = ActionType> {
  private readonly records = new Map<string, ActionRecord<T>>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly contextFor: (actionId: string, type: T) => Context,
    private readonly emit: (event: ActionEvent<T>) => void,
  ) {}

  /** Starts a validated plan; `done` settles when it finished (rejects when it failed). */
  start(request: { type: T; parameters?: unknown }, plan: (ctx: Context) => Promise<Record<string, unknown>>): { actionId: string; done: Promise<RunnerResult<T>> } {
    const actionId = randomUUID();
    const type = request.type;
    const status: RunnerStatus<T> = { actionId, type, status: 'pending' };
    const parameters = { ...(request.parameters ?? {}) } as Record<string, unknown>;
    const done = Promise.resolve().then(async (): Promise<RunnerResult<T>> => {
      status.status = 'running';
      this.emit({ type: 'action.started', actionId, action: type, parameters, at: Date.now() });
      try {
        const output = await plan(this.contextFor(actionId, type));
        status.status = 'success';
        status.output = output;
        this.emit({ type: 'action.finished', actionId, action: type, status: 'success', output, at: Date.now() });
        return { actionId, type, status: 'success', output };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        status.status = 'failed';
        status.error = message;
        this.emit({ type: 'action.finished', actionId, action: type, status: 'failed', error: message, at: Date.now() });
        throw error;
      }
    });
    const settled = done.catch(() => undefined);
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    this.records.set(actionId, { status, done });
    if (this.records.size > KEEP) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
    return { actionId, done };
  }

  status(actionId: string): RunnerStatus<T> | undefined {
    const record = this.records.get(actionId);
    return record === undefined ? undefined : { ...record.status };
  }

  /** Every action kept (the last 1000), oldest first. */
  list(): RunnerStatus<T>[] {
    return [...this.records.values()].map((record) => ({ ...record.status }));
  }

  /** Resolves once every running action has settled. */
  async settle(): Promise<void> {
    await Promise.all([...this.running]);
  }
}
