/** Sends a notification to connections that opted in, applying the notification faults. */
import { malformedFrame, type NotificationType } from '../push-frames.js';
import type { ProxyConnection } from '../proxy-connection.js';
import type { ActionContext } from './index.js';
import type { Params } from './params.js';

export interface NotificationFaults {
  /** Send every notification twice. */
  duplicate: boolean;
  /** Send an unparsable notification of the same type first. */
  malformed: boolean;
}

export const FAULT_PARAMETERS = ['duplicate', 'malformed'] as const;

export function readFaults(params: Params): NotificationFaults {
  return { duplicate: params.boolean('duplicate'), malformed: params.boolean('malformed') };
}

/** Writes `build(connection)` to every connection in `connections` that opted in; returns how many. */
export function notify(
  connections: Iterable<ProxyConnection>,
  type: NotificationType,
  seq: number,
  actionId: string,
  faults: NotificationFaults,
  build: (connection: ProxyConnection) => Buffer,
): number {
  let count = 0;
  for (const connection of connections) {
    if (connection.endpointType === null || connection.closed || !connection.notificationsEnabled) continue;
    if (faults.malformed) connection.send(malformedFrame(type), { frameType: `malformed:${type}`, seq, actionId });
    const bytes = build(connection);
    connection.send(bytes, { frameType: type, seq, actionId });
    if (faults.duplicate) connection.send(bytes, { frameType: type, seq, actionId });
    count++;
  }
  return count;
}

/**
 * Tells every opted-in connection now, and — while the returned window is open — each connection
 * that opts in later, with the time left (`frame` gets the seconds elapsed since the start).
 */
export function announceToAll(
  ctx: ActionContext,
  type: NotificationType,
  seq: number,
  faults: NotificationFaults,
  frame: (elapsedS: number) => Buffer,
): { told: number; closeWindow: () => void } {
  const started = Date.now();
  const tell = (connections: Iterable<ProxyConnection>) => notify(connections, type, seq, ctx.actionId, faults, () => frame((Date.now() - started) / 1000));
  const told = tell(ctx.connections());
  const closeWindow = ctx.openWindow({ applies: () => true, notice: (connection) => tell([connection]) });
  return { told, closeWindow };
}
