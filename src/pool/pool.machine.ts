import { assign, enqueueActions, sendTo, setup, spawnChild } from 'xstate';
import { connectionMachine, type ConnectionInput } from '../machines/connection.machine.js';

export interface PoolContext {
  /** Ids of the connection actors this pool supervises. */
  connectionIds: string[];
  /** Child actors that failed (an unexpected exception inside a machine), by id, with the error text. */
  crashed: Record<string, string>;
}

type SpawnEvent = { type: 'connection.spawn'; input: ConnectionInput };

export type PoolEvent =
  | SpawnEvent
  | { type: 'connection.stop'; id: string }
  | { type: 'close' };

/**
 * Supervises the connection actors: spawns them, stops them, and closes them all on `close`.
 * A child that crashes is reported (`crashed`) rather than escalated, so one broken connection
 * never takes the client or the process down; the pool replaces it.
 */
export const poolMachine = setup({
  types: {
    context: {} as PoolContext,
    events: {} as PoolEvent,
  },
  actors: {
    connection: connectionMachine,
  },
}).createMachine({
  id: 'pool',
  context: { connectionIds: [], crashed: {} },
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
          crashed: ({ context }) =>
            error ? { ...context.crashed, [id]: String((event as { error?: unknown }).error) } : context.crashed,
        });
      }),
    },
  },
  states: {
    running: {
      on: {
        'connection.spawn': {
          actions: [
            spawnChild('connection', { id: ({ event }) => event.input.id, input: ({ event }) => (event as SpawnEvent).input }),
            assign({ connectionIds: ({ context, event }) => [...context.connectionIds, event.input.id] }),
          ],
        },
        'connection.stop': {
          actions: [
            sendTo(({ event }) => event.id, { type: 'close' }),
          ],
        },
        close: 'closing',
      },
    },
    closing: {
      entry: enqueueActions(({ context, enqueue }) => {
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
