import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { reconnectDelay } from '../machines/reconnect-backoff.js';
import type { Endpoint } from '../protocol/endpoint.js';
import type { FenceOutcome } from './fence.js';

/** A MOVING the subscriber socket acts on. */
export interface MoveOrder {
  seq: number;
  /** The announced endpoint, or the configured address for "none". */
  target: Endpoint;
  /** When the old endpoint is gone (the MOVING's time, on the session's clock): a failed move is tried again until then. */
  deadlineAt?: number;
}

export interface SessionContext {
  /** Failed connects in a row. */
  attempt: number;
  lastError: string | null;
  moving: MoveOrder | null;
  /** The pending MOVING's time to start has come. */
  moveDue: boolean;
  /** Failed moves for the pending MOVING; the next try waits longer. */
  moveFailures: number;
  /**
   * MOVINGs already acted on, as `seq@socket`: a copy on the same socket is ignored; told on a
   * socket opened since (a reconnect or a move that landed on the node being left, e.g. type
   * `none` before DNS followed), it is acted on again. Bounded.
   */
  seenMovings: string[];
}

const SEEN_MOVINGS_KEPT = 16;
/** How often an idle subscriber socket is pinged. */
export const KEEPALIVE_MS = 10_000;

export type SessionEvent =
  /** The first subscription arrived: open the subscriber socket. */
  | { type: 'demand' }
  /** Subscriptions changed: bring the server in line. */
  | { type: 'changed' }
  | { type: 'socket.lost'; reason: string }
  /** `socket`: which subscriber socket it came on (its id). */
  | { type: 'moving'; seq: number; target: Endpoint; delayMs: number; deadlineAt?: number; socket?: string }
  | { type: 'move.begin'; seq: number }
  | { type: 'close' };

/**
 * The subscriber session's lifecycle: `idle` until the first subscription, `connecting` (dial,
 * handshake, subscribe everything), `subscribed` (`steady`, or `syncing` a change), `moving`
 * (a MOVING: the overlap with the fence), `waiting` out a backoff after a loss, then `connecting`
 * again (resubscribing). The sockets and the messages stay outside (ARCHITECTURE): the session
 * provides the actors and guards.
 */
export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
  },
  actors: {
    connect: fromPromise<void, { attempt: number }>(async () => {
      throw new Error('connect is provided by the session');
    }),
    sync: fromPromise<void>(async () => {}),
    move: fromPromise<{ seq: number; outcome: FenceOutcome }, MoveOrder>(async ({ input }) => ({ seq: input.seq, outcome: { exact: true } })),
    closeAll: fromPromise<void>(async () => {}),
  },
  actions: {
    connected: () => {},
    connectFailed: (_, _params: { reason: string }) => {},
    /** A PING on the idle subscriber socket: a peer gone without a FIN shows as a missing reply. */
    ping: () => {},
    moveFailed: (_, _params: { order: MoveOrder; reason: string }) => {},
  },
  guards: {
    /** The server's subscriptions on the current socket lag behind the listeners. */
    dirty: () => false,
    /** The current socket is still open (a failed move can stay on it). */
    currentAlive: () => false,
    /** No listener is left. */
    unwanted: () => false,
  },
  delays: {
    backoff: ({ context }) => reconnectDelay(context.attempt),
    keepalive: KEEPALIVE_MS,
  },
}).createMachine({
  id: 'pubsub',
  context: { attempt: 0, lastError: null, moving: null, moveDue: false, moveFailures: 0, seenMovings: [] },
  initial: 'idle',
  on: {
    close: '.closing',
    moving: {
      guard: ({ context, event }) => !context.seenMovings.includes(`${event.seq}@${event.socket ?? ''}`),
      actions: enqueueActions(({ context, event, enqueue }) => {
        const order: MoveOrder = event.deadlineAt === undefined ? { seq: event.seq, target: event.target } : { seq: event.seq, target: event.target, deadlineAt: event.deadlineAt };
        enqueue.assign({ moving: order, moveDue: false, moveFailures: 0, seenMovings: [...context.seenMovings, `${event.seq}@${event.socket ?? ''}`].slice(-SEEN_MOVINGS_KEPT) });
        enqueue.cancel('move-delay');
        enqueue.raise({ type: 'move.begin', seq: event.seq }, { id: 'move-delay', delay: event.delayMs });
      }),
    },
    'move.begin': {
      guard: ({ context, event }) => context.moving?.seq === event.seq,
      actions: assign({ moveDue: true }),
    },
  },
  states: {
    idle: {
      on: { demand: 'connecting' },
    },
    connecting: {
      invoke: {
        src: 'connect',
        input: ({ context }) => ({ attempt: context.attempt }),
        onDone: {
          target: 'subscribed',
          actions: [
            'connected',
            // Reconnected after a MOVING: the pool's address already is where it pointed.
            assign({ attempt: 0, lastError: null, moving: null, moveDue: false }),
          ],
        },
        onError: {
          target: 'waiting',
          actions: [
            assign({ attempt: ({ context }) => context.attempt + 1, lastError: ({ event }) => String((event.error as Error)?.message ?? event.error) }),
            { type: 'connectFailed', params: ({ event }) => ({ reason: String((event.error as Error)?.message ?? event.error) }) },
          ],
        },
      },
    },
    waiting: {
      // Nobody listens any more (e.g. the subscribe that wanted a socket was refused): stop dialling.
      after: { backoff: [{ guard: 'unwanted', target: 'idle' }, { target: 'connecting' }] },
    },
    subscribed: {
      initial: 'steady',
      on: {
        'socket.lost': {
          target: 'waiting',
          actions: assign({ attempt: 1, lastError: ({ event }) => event.reason }),
        },
      },
      states: {
        steady: {
          always: [
            { guard: ({ context }) => context.moveDue, target: '#pubsub.moving' },
            { guard: 'dirty', target: 'syncing' },
          ],
          on: { changed: { guard: 'dirty', target: 'syncing' } },
          after: { keepalive: { target: 'steady', reenter: true, actions: 'ping' } },
        },
        syncing: {
          invoke: { src: 'sync', onDone: 'steady', onError: 'steady' },
        },
      },
    },
    moving: {
      invoke: {
        src: 'move',
        input: ({ context }) => context.moving as MoveOrder,
        onDone: {
          target: 'subscribed',
          // A later MOVING that arrived meanwhile stays pending.
          actions: assign(({ context, event }) => (context.moving?.seq === event.output.seq ? { moving: null, moveDue: false, moveFailures: 0 } : {})),
        },
        onError: [
          {
            guard: 'currentAlive',
            target: 'subscribed',
            actions: [
              { type: 'moveFailed', params: ({ context, event }) => ({ order: context.moving as MoveOrder, reason: String((event.error as Error)?.message ?? event.error) }) },
              // The old socket still serves: the move is tried again after a pause while the
              // MOVING's time lasts (as a pooled connection's handoff is), since a target that
              // refused for a while (a node still starting) usually answers before the old one goes.
              enqueueActions(({ context, enqueue, system }) => {
                const moving = context.moving;
                const failures = context.moveFailures + 1;
                const delay = reconnectDelay(failures);
                const now = (system._clock as unknown as { now(): number }).now();
                if (moving?.deadlineAt !== undefined && now + delay < moving.deadlineAt) {
                  enqueue.assign({ moveDue: false, moveFailures: failures });
                  enqueue.raise({ type: 'move.begin', seq: moving.seq }, { id: 'move-delay', delay });
                } else {
                  enqueue.assign({ moving: null, moveDue: false, moveFailures: 0 });
                }
              }),
            ],
          },
          {
            target: 'waiting',
            actions: [
              { type: 'moveFailed', params: ({ context, event }) => ({ order: context.moving as MoveOrder, reason: String((event.error as Error)?.message ?? event.error) }) },
              assign({ moving: null, moveDue: false, moveFailures: 0, attempt: 1 }),
            ],
          },
        ],
      },
    },
    closing: {
      on: { close: {} },
      invoke: { src: 'closeAll', onDone: 'closed', onError: 'closed' },
    },
    closed: { type: 'final' },
  },
});

export type SessionMachine = typeof sessionMachine;
