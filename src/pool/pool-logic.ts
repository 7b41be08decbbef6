import { fromPromise, type ActorSystem } from 'xstate';
import { connectionMachine, type MovingOrder } from '../machines/connection.machine.js';
import { handoffWorkerMachine, type HandoffJob, type WorkerDoneEvent } from '../machines/handoff-worker.machine.js';
import type { OpenedSocket } from '../machines/connection.machine.js';
import { poolMachine } from './pool.machine.js';

/** What the machines' actors and actions do, for one pool (one actor system). */
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySystem = ActorSystem<any>;
const runtimes = new WeakMap<AnySystem, PoolRuntime>();

/** Ties a pool actor's system to the pool that runs it (the machines find their sockets through it). */
export function attachRuntime(system: AnySystem, runtime: PoolRuntime): void {
  runtimes.set(system, runtime);
}

function runtimeOf(system: AnySystem): PoolRuntime {
  const runtime = runtimes.get(system);
  if (runtime === undefined) throw new Error('no pool runtime is attached to this actor system');
  return runtime;
}

/**
 * The machines with their implementations, built once for every pool: `provide()` copies a
 * whole machine, so doing it per client cost ~50 KB per client. Implementations reach their
 * own pool through the actor system they run in.
 */
export const poolLogic = poolMachine.provide({
  actors: {
    connection: connectionMachine.provide({
      actors: {
        openSocket: fromPromise(({ input, signal, system }) => runtimeOf(system).openSocket(input.id, signal)),
        closeSocket: fromPromise(({ input, system }) => runtimeOf(system).closeSocket(input.id)),
      },
      actions: {
        requestHandoff: ({ system }, { id, moving }) => runtimeOf(system).requestHandoff(id, moving),
        cancelHandoff: ({ system }, { id }) => runtimeOf(system).cancelHandoff(id),
      },
    }),
    worker: handoffWorkerMachine.provide({
      actors: {
        openTarget: fromPromise(({ input, signal, system }) => runtimeOf(system).openTarget(input.job, input.attempt, signal)),
        swap: fromPromise(({ input, system }) => runtimeOf(system).swap(input.job)),
      },
      delays: {
        retryDelay: ({ context, system }) => runtimeOf(system).retryDelay(context.job as HandoffJob, context.attempt),
      },
    }),
  },
  actions: {
    handoffQueued: ({ system }, { job, overflow }) => runtimeOf(system).handoffQueued(job, overflow),
    handoffEnded: ({ system }, done) => runtimeOf(system).handoffEnded(done),
  },
});
