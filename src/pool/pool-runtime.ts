import type { Actor } from 'xstate';
import type { MovingOrder, OpenedSocket } from '../machines/connection.machine.js';
import type { HandoffJob, WorkerDoneEvent } from '../machines/handoff-worker.machine.js';
import type { Connection } from './connection.js';
import type { HandoffCoordinator } from './handoffs.js';
import type { PoolRuntime } from './pool-logic.js';
import type { poolMachine } from './pool.machine.js';

/**
 * What one pool's machines do (PoolRuntime), as methods of one object rather than a closure each.
 * The handoff coordinator is made with the first handoff: a client that is never moved makes none.
 */
export class PoolActorRuntime implements PoolRuntime {
  /** Set by the pool once its actor exists. */
  actor: Actor<typeof poolMachine> | null = null;
  private coordinator: HandoffCoordinator | null = null;

  constructor(
    private readonly connections: ReadonlyMap<string, Connection>,
    private readonly makeCoordinator: () => HandoffCoordinator,
  ) {}

  get handoffs(): HandoffCoordinator {
    return (this.coordinator ??= this.makeCoordinator());
  }

  openSocket(id: string, signal: AbortSignal): Promise<OpenedSocket> {
    return this.connection(id).open(signal);
  }

  closeSocket(id: string): Promise<void> {
    return this.connection(id).closeSocket();
  }

  requestHandoff(id: string, moving: MovingOrder): void {
    this.actor?.send({ type: 'handoff.request', job: { connectionId: id, seq: moving.seq, endpoint: moving.target, deadlineAt: moving.deadlineAt } });
  }

  cancelHandoff(id: string): void {
    this.connections.get(id)?.discardStaged();
    // No coordinator yet: no handoff ever started, so there is nothing to report as failed.
    this.coordinator?.cancelled(id);
    this.actor?.send({ type: 'handoff.cancel', connectionId: id });
  }

  openTarget(job: HandoffJob, attempt: number, signal: AbortSignal): Promise<void> {
    return this.handoffs.openTarget(job, attempt, signal);
  }

  swap(job: HandoffJob): Promise<void> {
    return this.handoffs.swap(job);
  }

  retryDelay(job: HandoffJob, attempt: number): number {
    return this.handoffs.retryDelay(job, attempt);
  }

  handoffQueued(job: HandoffJob, overflow: boolean): void {
    this.handoffs.queued(job, overflow);
  }

  handoffEnded(done: WorkerDoneEvent): void {
    this.handoffs.ended(done);
  }

  private connection(id: string): Connection {
    const connection = this.connections.get(id);
    if (connection === undefined) throw new Error(`unknown connection ${id}`);
    return connection;
  }
}
