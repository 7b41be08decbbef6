import { assign, enqueueActions, fromPromise, raise, setup, type ActorSystem } from 'xstate';
import type { Clock } from '../transport/clock.js';
import { handoffRetryDelay } from './handoff-worker.machine.js';
import { movingKey, socketIn } from './seen-movings.js';
import type { RelaxFamily, RelaxReason } from '../maintenance/relax.js';
import { addRelaxSource, removeRelaxSources } from '../maintenance/relax.js';
import type { ConnectionContext, ConnectionEvent, ConnectionInput, MovingOrder, OpenedSocket } from './connection.context.js';
import { jitteredReconnectDelay } from './reconnect-backoff.js';

export type { RelaxFamily, RelaxReason };
export type { ConnectionContext, ConnectionEvent, ConnectionInput, MovingOrder, OpenedSocket } from './connection.context.js';
export { jitteredReconnectDelay, reconnectDelay, RECONNECT_BASE_DELAY_MS, RECONNECT_MAX_DELAY_MS } from './reconnect-backoff.js';

const SEEN_MOVINGS_KEPT = 16;

const recordRetold = assign<ConnectionContext, ConnectionEvent, undefined, ConnectionEvent, never>({
  retold: ({ event }) => (event.type === 'moving.again' ? { seq: event.seq, endpoint: event.endpoint, target: event.target, beginAt: event.beginAt, deadlineAt: event.deadlineAt } : null),
});

/** The actor system's clock: the client's clock (a SimulatedClock in tests), which tells the time. */
const clockOf = (system: ActorSystem<any>): Pick<Clock, 'now'> => system._clock as unknown as Pick<Clock, 'now'>;

export const hasRelaxation = (context: ConnectionContext): boolean => Object.keys(context.relaxSources).length > 0;

/**
 * The lifecycle of one pooled connection. The machine decides *when* to dial, relax, hand off,
 * reconnect and close; the sockets and the per-command path live outside it (ARCHITECTURE: the
 * hot path stays off the actors), behind actors and actions the pool provides.
 */
export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    input: {} as ConnectionInput,
    events: {} as ConnectionEvent,
  },
  actors: {
    openSocket: fromPromise<OpenedSocket, { id: string; attempt: number }>(async () => {
      throw new Error('openSocket is provided by the pool');
    }),
    closeSocket: fromPromise<void, { id: string }>(async () => {}),
  },
  actions: {
    /** Draws the jittered wait of this reconnect attempt (tests provide a deterministic one). */
    drawReconnectDelay: assign({ reconnectDelayMs: ({ context }) => jitteredReconnectDelay(context.attempt, Math.random()) }),
    /**
     * (Re)arms the start of the handoff a pending MOVING asks for: at its `beginAt`, or after a
     * growing pause when tries failed. A MOVING whose time (plus a handoff's budget) has long
     * passed while the old endpoint still answers is stale and dropped.
     */
    scheduleHandoff: enqueueActions(({ context, enqueue, system }) => {
      enqueue.cancel('handoff-delay');
      const moving = context.moving;
      if (moving === null) return;
      const now = clockOf(system).now();
      const delay = Math.max(moving.beginAt - now, context.handoffFailures > 0 ? handoffRetryDelay(context.handoffFailures + 1) : 0, 0);
      if (now + delay >= moving.deadlineAt + context.handoffTimeoutMs) enqueue.raise({ type: 'moving.stale' });
      else enqueue.raise({ type: 'handoff.begin' }, { id: 'handoff-delay', delay });
    }),
    /** Puts this connection's MOVING on the pool's handoff queue. */
    requestHandoff: (_, _params: { id: string; moving: MovingOrder }) => {},
    /** Takes it off the queue (or stops its worker) when the connection leaves handingOff otherwise. */
    cancelHandoff: (_, _params: { id: string }) => {},
  },
  guards: {
    movingPending: ({ context }) => context.moving !== null,
    relaxed: ({ context }) => hasRelaxation(context),
  },
  delays: {
    reconnectDelay: ({ context }) => context.reconnectDelayMs,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    id: input.id,
    endpoint: input.endpoint,
    attempt: input.startIn?.state === 'reconnecting' ? 1 : 0,
    lastError: input.startIn?.state === 'reconnecting' ? input.startIn.lastError : null,
    reconnectDelayMs: 0,
    relaxSources: {},
    lastUnrelax: null,
    moving: null,
    seenMovings: [],
    retold: null,
    handoffFailures: 0,
    handoffTimeoutMs: input.handoffTimeoutMs ?? 15_000,
    postHandoffRelaxMs: input.postHandoffRelaxMs ?? 0,
    startIn: input.startIn?.state ?? 'connecting',
  }),
  // Resolved before the first snapshot: nobody sees `starting`.
  initial: 'starting',
  on: {
    close: '.closing',
    'relax.add': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const id = `backstop:${event.source}`;
        enqueue.assign({ relaxSources: addRelaxSource(context.relaxSources, event.source, event.backstopMs) });
        enqueue.cancel(id);
        enqueue.raise({ type: 'relax.expire', source: event.source }, { id, delay: event.backstopMs });
      }),
    },
    'relax.remove': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const { sources, removed } = removeRelaxSources(context.relaxSources, event.family, event.seq);
        if (removed.length === 0) return;
        for (const source of removed) enqueue.cancel(`backstop:${source}`);
        enqueue.assign({ relaxSources: sources, lastUnrelax: { source: removed[removed.length - 1] as string, reason: 'closing-notification' } });
      }),
    },
    moving: {
      guard: ({ context, event }) => !context.seenMovings.includes(movingKey(event)),
      actions: [
        assign({
          moving: ({ event }) => ({ seq: event.seq, endpoint: event.endpoint, target: event.target, beginAt: event.beginAt, deadlineAt: event.deadlineAt }),
          seenMovings: ({ context, event }) => [...context.seenMovings, movingKey(event)].slice(-SEEN_MOVINGS_KEPT),
        }),
        raise({ type: 'moving.check' }),
      ],
    },
    'relax.expire': {
      guard: ({ context, event }) => event.source in context.relaxSources,
      actions: assign(({ context, event }) => {
        const { [event.source]: _expired, ...rest } = context.relaxSources;
        return { relaxSources: rest, lastUnrelax: { source: event.source, reason: event.source === 'handoff' ? 'post-handoff-expired' : 'backstop' } };
      }),
    },
  },
  states: {
    starting: {
      always: [
        { guard: ({ context }) => context.startIn === 'ready', target: 'ready' },
        { guard: ({ context }) => context.startIn === 'reconnecting', target: 'reconnecting' },
        { target: 'connecting' },
      ],
    },
    connecting: {
      entry: assign({ retold: null }),
      on: { 'moving.again': { actions: recordRetold } },
      invoke: {
        src: 'openSocket',
        input: ({ context }) => ({ id: context.id, attempt: context.attempt }),
        onDone: {
          target: 'ready',
          actions: assign(({ context, event, system }) => {
            // Reconnected straight to where a MOVING pointed (for "no endpoint": after its timeS/2
            // wait, when DNS has had time to follow): nothing left to move.
            const arrived = context.moving !== null && context.moving.target === event.output.endpoint && clockOf(system).now() >= context.moving.beginAt;
            return {
              endpoint: event.output.endpoint,
              attempt: 0,
              lastError: null,
              ...(arrived ? { handoffFailures: 0 } : {}),
              ...socketIn(context, event.output.endpoint, arrived ? null : context.moving),
            };
          }),
        },
        onError: {
          target: 'reconnecting',
          actions: assign({
            attempt: ({ context }) => context.attempt + 1,
            lastError: ({ event }) => (event.error instanceof Error ? event.error.message : String(event.error)),
          }),
        },
      },
    },
    ready: {
      initial: 'idle',
      entry: 'scheduleHandoff',
      on: {
        'socket.lost': {
          target: 'reconnecting',
          actions: assign({ attempt: 1, lastError: ({ event }) => event.reason }),
        },
        'moving.check': { actions: 'scheduleHandoff' },
        'handoff.begin': { guard: 'movingPending', target: 'handingOff' },
        'moving.stale': { actions: assign({ moving: null, handoffFailures: 0 }) },
      },
      states: {
        idle: {
          always: { guard: 'relaxed', target: 'relaxed' },
        },
        relaxed: {
          always: { guard: ({ context }) => !hasRelaxation(context), target: 'idle' },
        },
      },
    },
    handingOff: {
      entry: [
        assign({ retold: null }),
        {
          type: 'requestHandoff',
          params: ({ context }) => ({ id: context.id, moving: context.moving as MovingOrder }),
        },
      ],
      exit: { type: 'cancelHandoff', params: ({ context }) => ({ id: context.id }) },
      on: {
        'moving.again': { actions: recordRetold },
        // The old socket died mid-handoff: its in-flight commands have failed; the new socket is still coming.
        'socket.lost': {},
        'handoff.succeeded': {
          target: 'ready',
          actions: enqueueActions(({ context, event, enqueue }) => {
            // A later MOVING that arrived meanwhile (another target) stays pending and is acted on next.
            const superseded = context.moving !== null && context.moving.target !== event.endpoint;
            enqueue.assign({ endpoint: event.endpoint, handoffFailures: 0, attempt: 0, lastError: null, ...socketIn(context, event.endpoint, superseded ? context.moving : null) });
            if (context.postHandoffRelaxMs > 0) enqueue.raise({ type: 'relax.add', source: 'handoff', backstopMs: context.postHandoffRelaxMs });
          }),
        },
        // Fall back to a plain reconnect (to the pool's current address, else the configured one).
        // The MOVING stays pending: should the reconnect land on the old endpoint, the move is tried again.
        'handoff.failed': {
          target: 'reconnecting',
          actions: assign({ handoffFailures: ({ context }) => context.handoffFailures + 1, attempt: 1, lastError: ({ event }) => event.reason }),
        },
      },
    },
    reconnecting: {
      entry: 'drawReconnectDelay',
      after: {
        reconnectDelay: 'connecting',
      },
    },
    closing: {
      // Already closing: a second close must not restart the graceful close.
      on: { close: {} },
      invoke: {
        src: 'closeSocket',
        input: ({ context }) => ({ id: context.id }),
        onDone: 'closed',
        onError: 'closed',
      },
    },
    closed: {
      type: 'final',
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;
/** The state of a connection as snapshots and events report it. */
export type ConnectionStateValue = 'connecting' | 'idle' | 'relaxed' | 'handingOff' | 'reconnecting' | 'closing' | 'closed';

/** Flattens the machine's state value into the name shown on dashboards. */
export function connectionStateName(value: unknown): ConnectionStateValue {
  if (typeof value === 'string') return value as ConnectionStateValue;
  if (typeof value === 'object' && value !== null && 'ready' in value) return (value as { ready: 'idle' | 'relaxed' }).ready;
  return 'connecting';
}
