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

/** Capped exponential backoff (a connection's re-handoff after a fallback): 100, 200, 400, … 2000 ms. */
export function handoffRetryDelay(attempt: number): number {
  return Math.min(HANDOFF_RETRY_MAX_MS, HANDOFF_RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

/** The last dial attempt starts by this share of the window, leaving the rest for its handshake and the drain. */
export const HANDOFF_LAST_ATTEMPT_SHARE = 0.75;

/**
 * When dial attempt `attempt` (1-based) of `maxAttempts` starts, in ms after the job did: the gaps
 * double (exponential backoff) and are scaled so that the last attempt starts at 3/4 of `windowMs`
 * (the handoff budget, cut to the MOVING's deadline). A target that comes up within the MOVING's
 * time is still reached while the old socket serves; e.g. 3 attempts in 15 s: 0, 3.75 s, 11.25 s.
 */
export function handoffAttemptOffset(attempt: number, maxAttempts: number, windowMs: number): number {
  if (maxAttempts <= 1 || attempt <= 1) return 0;
  const last = Math.max(0, windowMs) * HANDOFF_LAST_ATTEMPT_SHARE;
  return (last * (2 ** (Math.min(attempt, maxAttempts) - 1) - 1)) / (2 ** (maxAttempts - 1) - 1);
}

/** How long to wait, `elapsedMs` into the job, before attempt `attempt + 1`: never less than 100 ms. */
export function handoffRetryWait(attempt: number, maxAttempts: number, windowMs: number, elapsedMs: number): number {
  return Math.max(HANDOFF_RETRY_BASE_MS, Math.round(handoffAttemptOffset(attempt + 1, maxAttempts, windowMs) - elapsedMs));
}

/**
 * A handoff worker: dials the new endpoint and runs the full handshake there (`openTarget`),
 * retrying up to `maxAttempts` times spread over `handoffTimeoutMs` (`handoffAttemptOffset`), then
 * drains the old socket and swaps the new one in (`swap`). The pool owns a fixed set of these and
 * a bounded queue; it provides `retryDelay` with the clock, so that the spread also honours the
 * MOVING's deadline and the time each attempt took.
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
    // Without a clock: the gap between two scheduled attempts over the whole handoff budget.
    retryDelay: ({ context }) =>
      handoffRetryWait(context.attempt, context.maxAttempts, context.handoffTimeoutMs, handoffAttemptOffset(context.attempt, context.maxAttempts, context.handoffTimeoutMs)),
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
