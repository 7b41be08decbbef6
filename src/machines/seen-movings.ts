/**
 * Which MOVINGs a connection counts as already acted on, per socket (SPEC §5: a duplicate MOVING
 * is ignored): a copy on the same socket is; the same MOVING told on a socket opened since is not,
 * unless that socket is where it pointed.
 */
import type { ConnectionContext, MovingOrder } from './connection.machine.js';

export const movingKey = (moving: { seq: number; endpoint: string | null }): string => `${moving.seq}|${moving.endpoint ?? ''}`;

/**
 * A new socket at `endpoint` keeps only the MOVINGs that pointed there: the same MOVING told again
 * on it means it, too, is on the node being left — a reconnect that landed on the old node (a
 * fallback before DNS followed, or type `none`, whose MOVING names no endpoint) — and is acted on.
 */
const seenAt = (seen: readonly string[], endpoint: string): string[] => seen.filter((key) => key.slice(key.indexOf('|') + 1) === endpoint);

/**
 * What a connection knows once its new socket at `endpoint` is in: the MOVING still to act on
 * (`pending`, or a retold one that was news about this socket) and, as seen here, the MOVINGs
 * that pointed here and that one.
 */
export function socketIn(context: ConnectionContext, endpoint: string, pending: MovingOrder | null): Pick<ConnectionContext, 'seenMovings' | 'retold' | 'moving'> {
  const retold = context.retold;
  const moving = retold !== null && (retold.endpoint ?? '') !== endpoint ? retold : pending;
  const seen = seenAt(context.seenMovings, endpoint);
  if (moving !== null && !seen.includes(movingKey(moving))) seen.push(movingKey(moving));
  return { seenMovings: seen, retold: null, moving };
}
