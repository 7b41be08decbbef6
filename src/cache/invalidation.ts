import type { RespValue } from '../protocol/types.js';

/** An `invalidate` push (CLIENT TRACKING, RESP3 default mode), also when decoded with Buffers. */
export function isInvalidation(frame: readonly RespValue[]): boolean {
  const head = frame[0];
  return head === 'invalidate' || (Buffer.isBuffer(head) && head.length === 10 && head.toString('latin1') === 'invalidate');
}
