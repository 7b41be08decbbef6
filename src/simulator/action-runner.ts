/**
 * Bookkeeping of actions: ids, status (`pending → running → success | failed`), the events that
 * report them, and the promise `run()` awaits. A failed action never becomes an unhandled
 * rejection: its status says why.
 */
import { randomUUID } from 'node:crypto';
import type { ActionContext, ActionPlan } from './actions/index.js';
import type { ActionRequest, ActionResult, ActionStatus, ActionType, SimulatorEvent } from './types.js';

const KEEP = 1000;

interface ActionRecord {
  status: ActionStatus;
  done: Promise<ActionResult>;
}

export class ActionRunner {
  private readonly records = new Map<string, ActionRecord>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly contextFor: (actionId: string, type: ActionType) => ActionContext,
    private readonly emit: (event: SimulatorEvent) => void,
  ) {}

  /** Starts a validated plan; `done` settles when it finished (rejects when it failed). */
  start(request: ActionRequest, plan: ActionPlan): { actionId: string; done: Promise<ActionResult> } {
    const actionId = randomUUID();
    const type = request.type;
    const status: ActionStatus = { actionId, type, status: 'pending' };
    const parameters = { ...(request.parameters ?? {}) } as Record<string, unknown>;
    const done = Promise.resolve().then(async (): Promise<ActionResult> => {
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

  status(actionId: string): ActionStatus | undefined {
    const record = this.records.get(actionId);
    return record === undefined ? undefined : { ...record.status };
  }

  /** Every action kept (the last 1000), oldest first. */
  list(): ActionStatus[] {
    return [...this.records.values()].map((record) => ({ ...record.status }));
  }

  /** Resolves once every running action has settled. */
  async settle(): Promise<void> {
    await Promise.all([...this.running]);
  }
}
