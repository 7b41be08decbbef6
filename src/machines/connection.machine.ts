import { assign, fromPromise, setup } from 'xstate';

/** What opening a socket reports back (the socket itself stays outside the machine). */
export interface OpenedSocket {
  endpoint: string;
  maint: 'unknown' | 'supported' | 'unsupported';
}

export interface ConnectionContext {
  id: string;
  /** The endpoint the socket reaches (or is being dialled). */
  endpoint: string;
  /** Failed attempts in a row; reset when a socket is ready. */
  attempt: number;
  lastError: string | null;
  /** True once the connection has been ready at least once (first failure vs. a reconnect). */
  everReady: boolean;
}

export interface ConnectionInput {
  id: string;
  endpoint: string;
}

export type ConnectionEvent =
  /** The socket closed without being asked to (server gone, network, bad bytes). */
  | { type: 'socket.lost'; reason: string }
  /** Close gracefully: drain in-flight replies, then QUIT. */
  | { type: 'close' };

export const RECONNECT_BASE_DELAY_MS = 50;
export const RECONNECT_MAX_DELAY_MS = 2000;

/** Capped exponential backoff: 50, 100, 200, … 2000 ms. */
export function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
}

/**
 * The lifecycle of one pooled connection. The machine decides *when* to dial, reconnect and
 * close; the socket and the per-command path live outside it (see ARCHITECTURE: the hot path
 * stays off the actors), behind the `openSocket` / `closeSocket` actors the pool provides.
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
  delays: {
    reconnectDelay: ({ context }) => reconnectDelay(context.attempt),
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ id: input.id, endpoint: input.endpoint, attempt: 0, lastError: null, everReady: false }),
  initial: 'connecting',
  on: {
    close: '.closing',
  },
  states: {
    connecting: {
      invoke: {
        src: 'openSocket',
        input: ({ context }) => ({ id: context.id, attempt: context.attempt }),
        onDone: {
          target: 'ready',
          actions: assign({
            endpoint: ({ event }) => event.output.endpoint,
            attempt: 0,
            lastError: null,
            everReady: true,
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
      on: {
        'socket.lost': {
          target: 'reconnecting',
          actions: assign({ attempt: 1, lastError: ({ event }) => event.reason }),
        },
      },
      states: {
        idle: {},
        relaxed: {},
      },
    },
    handingOff: {},
    reconnecting: {
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
export type ConnectionStateValue = 'connecting' | 'idle' | 'relaxed' | 'handingOff' | 'reconnecting' | 'closing' | 'closed';

/** Flattens the machine's state value into the name shown on dashboards. */
export function connectionStateName(value: unknown): ConnectionStateValue {
  if (typeof value === 'string') return value as ConnectionStateValue;
  if (typeof value === 'object' && value !== null && 'ready' in value) return (value as { ready: 'idle' | 'relaxed' }).ready;
  return 'connecting';
}
