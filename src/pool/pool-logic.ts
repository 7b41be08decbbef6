import { fromPromise, type AnyActorRef } from 'xstate';
import { connectionMachine, type MovingOrder } from '../machines/connection.machine.js';
import { handoffWorkerMachine, type HandoffJob, type WorkerDoneEvent } from '../machines/handoff-worker.machine.js';
import type { OpenedSocket } from '../machines/connection.machine.js';
import { poolMachine } from './pool.machine.js';

/** What the machines' actors and actions do, for one pool. */
export interface PoolRuntime {
  openSocket(connectionId: string, signal: AbortSignal): Promise<OpenedSocket>;
  closeSocket(connectionId: string): Promise<void>;
  requestHandoff(connectionId: string, moving: MovingOrder): void;
  cancelHandoff(connectionId: string): void;
  openTarget(job: HandoffJob, attempt: number, signal: AbortSignal): Promise<void>;
  swap(job: HandoffJob): Promise<void>;
  /** How long a worker waits before its next dial attempt at `job`. */
  retryDelay(job: HandoffJob, attempt: number): number;
  handoffQueued(job: HandoffJob, overflow: boolean): void;
  handoffEnded(done: WorkerDoneEvent): void;
}

const runtimes = new WeakMap<AnyActorRef, PoolRuntime>();

/** Ties a pool actor to the pool that runs it (the machines find their sockets through it). */
export function attachRuntime(poolActor: AnyActorRef, runtime: PoolRuntime): void {
  runtimes.set(poolActor, runtime);
}

/**
 * The runtime of the pool actor `self` belongs to: the pool itself, one of its connections or
 * workers, or an actor they invoked. (Pools of many clients may share one actor system, so the
 * system cannot say which pool it is.)
 */
function runtimeOf(self: AnyActorRef): PoolRuntime {
  for (let ref: AnyActorRef | undefined = self; ref !== undefined; ref = ref._parent) {
    const runtime = runtimes.get(ref);
    if (runtime !== undefined) return runtime;
  }
  throw new Error('no pool runtime is attached to this actor');
}

/**
 * The machines with their implementations, built once for every pool: `provide()` copies a
 * whole machine, so doing it per client cost ~50 KB per client. Implementations reach their
 * own pool through the pool actor they run under (runtimeOf).
 */
export const poolLogic = poolMachine.provide({
  actors: {
    connection: connectionMachine.provide({
      actors: {
        openSocket: fromPromise(({ input, signal, self }) => runtimeOf(self).openSocket(input.id, signal)),
        closeSocket: fromPromise(({ input, self }) => runtimeOf(self).closeSocket(input.id)),
      },
      actions: {
        requestHandoff: ({ self }, { id, moving }) => runtimeOf(self).requestHandoff(id, moving),
        cancelHandoff: ({ self }, { id }) => runtimeOf(self).cancelHandoff(id),
      },
    }),
    worker: handoffWorkerMachine.provide({
      actors: {
        openTarget: fromPromise(({ input, signal, self }) => runtimeOf(self).openTarget(input.job, input.attempt, signal)),
        swap: fromPromise(({ input, self }) => runtimeOf(self).swap(input.job)),
      },
      delays: {
        retryDelay: ({ context, self }) => runtimeOf(self).retryDelay(context.job as HandoffJob, context.attempt),
      },
    }),
  },
  actions: {
    handoffQueued: ({ self }, { job, overflow }) => runtimeOf(self).handoffQueued(job, overflow),
    handoffEnded: ({ self }, done) => runtimeOf(self).handoffEnded(done),
  },
});
