/**
 * Which consumer a RESP3 push frame belongs to (SPEC §3): maintenance notifications, pub/sub
 * messages and confirmations, client-side-caching invalidations. Pure: names only.
 */
import { isMaintenanceType } from './notifications.js';
import type { RespValue } from './types.js';

export type PushKind = 'maintenance' | 'pubsub' | 'invalidate' | 'other';

const PUBSUB_TYPES: ReadonlySet<string> = new Set([
  'message',
  'pmessage',
  'smessage',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);

/** The push's type (element 0) as text; '' when it has none. Buffers (binary-decoded pushes) are read as latin1. */
export function pushType(frame: readonly RespValue[]): string {
  const head = frame[0];
  if (typeof head === 'string') return head;
  if (Buffer.isBuffer(head)) return head.toString('latin1');
  return '';
}

export function pushKindOf(type: string): PushKind {
  if (PUBSUB_TYPES.has(type)) return 'pubsub';
  if (isMaintenanceType(type)) return 'maintenance';
  if (type === 'invalidate') return 'invalidate';
  return 'other';
}
