import { assign, fromPromise, sendParent, setup } from 'xstate';

/** One connection's move to a new endpoint, as queued by the pool. */
export interface HandoffJob {
  connectionId: string;
  seq: number;
  /** `host:port` to move to (a MOVING without endpoint is resolved to the configured address by the pool). */
  endpoint: string;
  /** When the old endpoint goes away, on the client's clock. */
  deadlineAt: number;
}

export interface HandoffWorkerInput {
  id: string;
  maxAttempts: number;
  handoffTimeoutMs: number;
}

export interface HandoffWorkerContext extends HandoffWorkerInput {
  job: HandoffJob | null;
  attempt: number;
  lastError: string | null;
}

export type HandoffWorkerEvent = { type: 'job'; job: HandoffJob } | { type: 'cancel'; connectionId: string };

/** What the worker tells the pool when a job ends. */
export type WorkerDoneEvent = { type: 'worker.done'; workerId: string; job: HandoffJob; ok: boolean; reason: string | null; attempts: number };

export const HANDOFF_RETRY_BASE_MS = 100;
export const HANDOFF_RETRY_MAX_MS = 2000;

/** Capped exponential backoff between handoff dial attempts: 100, 200, 400, … 2000 ms. */
export function handoffRetryDelay(attempt: number): number {
  return Math.min(HANDOFF_RETRY_MAX_MS, HANDOFF_RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

/**
 * A handoff worker: dials the new endpoint and runs the full handshake there (`openTarget`),
 * retrying with backoff up to `maxAttempts` within `handoffTimeoutMs`, then drains the old socket
 * and swaps the new one in (`swap`). The pool owns a fixed set of these and a bounded queue.
 */
export const handoffWorkerMachine = setup({
  types: {
    context: {} as HandoffWorkerContext,
    input: {} as HandoffWorkerInput,
    events: {} as HandoffWorkerEvent,
  },
  actors: {
    openTarget: fromPromise<void, { job: HandoffJob; attempt: number }>(async () => {
      throw new Error('openTarget is provided by the pool');
    }),
    swap: fromPromise<void, { job: HandoffJob }>(async () => {
      throw new Error('swap is provided by the pool');
    }),
  },
  delays: {
    retryDelay: ({ context }) => handoffRetryDelay(context.attempt),
    handoffTimeout: ({ context }) => context.handoffTimeoutMs,
  },
}).createMachine({
  id: 'handoffWorker',
  context: ({ input }) => ({ ...input, job: null, attempt: 0, lastError: null }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        job: { target: 'busy', actions: assign({ job: ({ event }) => event.job, attempt: 1, lastError: null }) },
      },
    },
    busy: {
      initial: 'dialing',
      after: {
        handoffTimeout: {
          target: 'failed',
          actions: assign({ lastError: ({ context }) => `no handoff within ${context.handoffTimeoutMs} ms (last error: ${context.lastError ?? 'none'})` }),
        },
      },
      on: {
        cancel: {
          guard: ({ context, event }) => context.job?.connectionId === event.connectionId,
          target: 'idle',
          actions: assign({ job: null }),
        },
      },
      states: {
        dialing: {
          invoke: {
            src: 'openTarget',
            input: ({ context }) => ({ job: context.job as HandoffJob, attempt: context.attempt }),
            onDone: 'draining',
            onError: [
              {
                guard: ({ context }) => context.attempt < context.maxAttempts,
                target: 'backoff',
                actions: assign({ lastError: ({ event }) => errorText(event.error) }),
              },
              { target: '#handoffWorker.failed', actions: assign({ lastError: ({ event }) => errorText(event.error) }) },
            ],
          },
        },
        backoff: {
          after: {
            retryDelay: { target: 'dialing', actions: assign({ attempt: ({ context }) => context.attempt + 1 }) },
          },
        },
        draining: {
          invoke: {
            src: 'swap',
            input: ({ context }) => ({ job: context.job as HandoffJob }),
            onDone: '#handoffWorker.succeeded',
            onError: { target: '#handoffWorker.failed', actions: assign({ lastError: ({ event }) => errorText(event.error) }) },
          },
        },
      },
    },
    succeeded: {
      entry: sendParent(({ context }): WorkerDoneEvent => ({ type: 'worker.done', workerId: context.id, job: context.job as HandoffJob, ok: true, reason: null, attempts: context.attempt })),
      always: { target: 'idle', actions: assign({ job: null }) },
    },
    failed: {
      entry: sendParent(({ context }): WorkerDoneEvent => ({ type: 'worker.done', workerId: context.id, job: context.job as HandoffJob, ok: false, reason: context.lastError, attempts: context.attempt })),
      always: { target: 'idle', actions: assign({ job: null }) },
    },
  },
});

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
