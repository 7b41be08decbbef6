/**
 * Where a client's root actors live. Every `createActor` without a parent makes its own XState
 * actor system (a registry, a scheduler and some twenty closures, ~1.8 KB); a process that opens a
 * client per request pays that for each. So the root actors of every client that is not inspected
 * share one system per clock: they are created as children of one do-nothing root actor.
 *
 * Per clock, because a system's scheduler (delayed transitions: reconnect waits, relax backstops)
 * runs on its own clock, and tests give each client a simulated one. An inspected client keeps a
 * system of its own, so that the Stately inspector sees that client's actors and nothing else.
 * An actor joins the shared registry when it starts and leaves it when it stops: start actors
 * when they are needed (a client never connected holds nothing there).
 */
import { createActor, createMachine, type AnyActorRef, type InspectionEvent, type Observer } from 'xstate';
import type { Clock } from '../transport/clock.js';

type Inspect = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

// Handles every event: a child that fails or finishes reports to its parent, and an unhandled
// error event would stop this root (and with it the shared system) for everyone.
const rootLogic = createMachine({ id: 'hitless', on: { '*': {} } });
const roots = new WeakMap<Clock, AnyActorRef>();

/** The options that place a client's root actor: under the shared root of `clock`, or (inspected) in a system of its own. */
export function rootActorOptions(clock: Clock, inspect: Inspect | undefined): { parent: AnyActorRef } | { clock: never; inspect?: Inspect } {
  if (inspect !== undefined) return { clock: clock as never, inspect };
  let root = roots.get(clock);
  if (root === undefined) {
    root = createActor(rootLogic, { clock: clock as never }).start();
    roots.set(clock, root);
  }
  return { parent: root };
}
