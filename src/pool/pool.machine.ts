import { assign, enqueueActions, sendTo, setup, spawnChild } from 'xstate';
import { connectionMachine, type ConnectionInput } from '../machines/connection.machine.js';
import { handoffWorkerMachine, type HandoffJob, type WorkerDoneEvent } from '../machines/handoff-worker.machine.js';
import { enqueueHandoff, scheduleHandoffs, type HandoffSchedule } from './handoff-queue.js';

export interface PoolInput {
  workers: number;
  queueSize: number;
  handoffTimeoutMs: number;
  maxHandoffAttempts: number;
}

export interface PoolContext extends PoolInput {
  /** Ids of the connection actors this pool supervises. */
  connectionIds: string[];
  /** Child actors that failed (an unexpected exception inside a machine), by id, with the error text. */
  crashed: Record<string, string>;
  idleWorkers: string[];
  /** Workers started so far: they start with the first handoffs that need them, up to `workers`, and then stay. */
  startedWorkers: number;
  /** Worker id → the connection it is moving. */
  busyWorkers: Record<string, string>;
  /** Handoffs waiting for a worker, oldest first (at most `queueSize`). */
  queue: HandoffJob[];
  /** Handoffs that found the queue full; each waits up to handoffTimeout, then falls back to a reconnect. */
  overflow: HandoffJob[];
}

type SpawnEvent = { type: 'connection.spawn'; input: ConnectionInput };

export type PoolEvent =
  | SpawnEvent
  | { type: 'connection.stop'; id: string }
  | { type: 'close' }
  | { type: 'handoff.request'; job: HandoffJob }
  | { type: 'handoff.cancel'; connectionId: string }
  | { type: 'handoff.schedule' }
  | { type: 'overflow.expire'; connectionId: string }
  | WorkerDoneEvent;

/**
 * Supervises the connection actors and owns the handoff queue and its workers. A child that
 * crashes is reported (`crashed`) rather than escalated, so one broken connection never takes
 * the client or the process down; the pool replaces it.
 */
export const poolMachine = setup({
  types: {
    context: {} as PoolContext,
    input: {} as PoolInput,
    events: {} as PoolEvent,
  },
  actors: {
    connection: connectionMachine,
    worker: handoffWorkerMachine,
  },
  actions: {
    /** Reports queue movements (events, metrics); provided by the pool. */
    handoffQueued: (_, _params: { job: HandoffJob; overflow: boolean }) => {},
    handoffEnded: (_, _params: WorkerDoneEvent) => {},
  },
}).createMachine({
  id: 'pool',
  context: ({ input }) => ({ ...input, connectionIds: [], crashed: {}, idleWorkers: [], startedWorkers: 0, busyWorkers: {}, queue: [], overflow: [] }),
  initial: 'running',
  on: {
    '*': {
      // xstate.error.actor.<id>: a child threw. xstate.done.actor.<id>: a child reached `closed`.
      actions: enqueueActions(({ event, enqueue }) => {
        const type = (event as { type: string }).type;
        const error = /^xstate\.error\.actor\.(.+)$/.exec(type);
        const done = /^xstate\.done\.actor\.(.+)$/.exec(type);
        const id = error?.[1] ?? done?.[1];
        if (id === undefined) return;
        enqueue.assign({
          connectionIds: ({ context }) => context.connectionIds.filter((known) => known !== id),
          crashed: ({ context }) => (error ? { ...context.crashed, [id]: String((event as { error?: unknown }).error) } : context.crashed),
        });
      }),
    },
    'worker.done': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        enqueue({ type: 'handoffEnded', params: event });
        const { [event.workerId]: _done, ...busy } = context.busyWorkers;
        enqueue.assign({ busyWorkers: busy, idleWorkers: [...context.idleWorkers, event.workerId] });
        if (context.connectionIds.includes(event.job.connectionId)) {
          enqueue.sendTo(event.job.connectionId, event.ok ? { type: 'handoff.succeeded', endpoint: event.job.endpoint } : { type: 'handoff.failed', reason: event.reason ?? 'handoff failed' });
        }
        enqueue.raise({ type: 'handoff.schedule' });
      }),
    },
  },
  states: {
    running: {
      on: {
        'connection.spawn': {
          actions: [
            spawnChild('connection', { id: ({ event }) => event.input.id, input: ({ event }) => (event as SpawnEvent).input }),
            assign({ connectionIds: ({ context, event }) => context.connectionIds.concat(event.input.id) }),
          ],
        },
        'connection.stop': {
          actions: sendTo(({ event }) => event.id, { type: 'close' }),
        },
        'handoff.request': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { queue, overflow, overflowed } = enqueueHandoff(context, event.job);
            enqueue({ type: 'handoffQueued', params: { job: event.job, overflow: overflowed } });
            // A client that is never moved spawns no worker (each is an actor: memory and start-up).
            const needed = Math.min(context.workers - context.startedWorkers, queue.length - context.idleWorkers.length);
            const ids = Array.from({ length: Math.max(0, needed) }, (_, i) => `worker-${context.startedWorkers + i + 1}`);
            for (const id of ids) {
              enqueue.spawnChild('worker', { id, input: { id, maxAttempts: context.maxHandoffAttempts, handoffTimeoutMs: context.handoffTimeoutMs } });
            }
            enqueue.assign({ queue, overflow, idleWorkers: [...context.idleWorkers, ...ids], startedWorkers: context.startedWorkers + ids.length });
            if (overflowed) {
              enqueue.raise({ type: 'overflow.expire', connectionId: event.job.connectionId }, { delay: context.handoffTimeoutMs, id: `overflow:${event.job.connectionId}` });
            }
            enqueue.raise({ type: 'handoff.schedule' });
          }),
        },
        'overflow.expire': {
          guard: ({ context, event }) => context.overflow.some((job) => job.connectionId === event.connectionId),
          actions: enqueueActions(({ context, event, enqueue }) => {
            const job = context.overflow.find((queued) => queued.connectionId === event.connectionId) as HandoffJob;
            const reason = 'the handoff queue stayed full';
            enqueue.assign({ overflow: context.overflow.filter((queued) => queued.connectionId !== event.connectionId) });
            enqueue({ type: 'handoffEnded', params: { type: 'worker.done', workerId: '', job, ok: false, reason, attempts: 0 } });
            if (context.connectionIds.includes(event.connectionId)) enqueue.sendTo(event.connectionId, { type: 'handoff.failed', reason });
          }),
        },
        'handoff.cancel': {
          actions: enqueueActions(({ context, event, enqueue }) => applySchedule(enqueue, scheduleHandoffs(context, event.connectionId))),
        },
        'handoff.schedule': {
          actions: enqueueActions(({ context, enqueue }) => applySchedule(enqueue, scheduleHandoffs(context))),
        },
        close: 'closing',
      },
    },
    closing: {
      entry: enqueueActions(({ context, enqueue }) => {
        for (const workerId of Object.keys(context.busyWorkers)) {
          const connectionId = context.busyWorkers[workerId] as string;
          enqueue.sendTo(workerId, { type: 'cancel', connectionId });
        }
        for (const job of context.overflow) enqueue.cancel(`overflow:${job.connectionId}`);
        enqueue.assign({ queue: [], overflow: [], busyWorkers: {} });
        for (const id of context.connectionIds) enqueue.sendTo(id, { type: 'close' });
      }),
      always: { guard: ({ context }) => context.connectionIds.length === 0, target: 'closed' },
    },
    closed: {
      type: 'final',
    },
  },
});

export type PoolMachine = typeof poolMachine;

/** The part of XState's action enqueuer a scheduling step uses (its full generic type is unwieldy). */
interface ScheduleEnqueuer {
  sendTo(to: string, event: { type: 'cancel'; connectionId: string } | { type: 'job'; job: HandoffJob }): void;
  cancel(id: string): void;
  assign(values: Partial<PoolContext>): void;
}

function applySchedule(enqueuer: unknown, schedule: HandoffSchedule): void {
  const enqueue = enqueuer as ScheduleEnqueuer;
  for (const { workerId, connectionId } of schedule.cancelWorkers) enqueue.sendTo(workerId, { type: 'cancel', connectionId });
  for (const connectionId of schedule.leftOverflow) enqueue.cancel(`overflow:${connectionId}`);
  for (const { workerId, job } of schedule.dispatch) enqueue.sendTo(workerId, { type: 'job', job });
  enqueue.assign(schedule.next);
}
