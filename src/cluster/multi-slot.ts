/**
 * Multi-key commands whose keys hash to several slots (`request_policy:multi_shard`). The ones
 * that read, or delete (which is idempotent), are split into one command per slot, sent at once,
 * and their replies put back together: MGET (values in the order of the keys), EXISTS and TOUCH
 * (counts summed), DEL and UNLINK (counts summed). Each part is atomic within its slot; the whole
 * is not (another client may write between the parts), and when a part fails the others may have
 * run: the error of the first part that failed reaches the caller, and deleting again is safe.
 * MSET and MSETNX are not split (a partial MSET, or an MSETNX that sets some keys, breaks what
 * the command promises) and stay refused with ERR_CROSSSLOT, as by ioredis and node-redis.
 */
import type { RespArgument, RespValue } from '../protocol/types.js';
import { keySlot } from './slot.js';

type Join = 'sum' | 'in-order';

const SPLIT: ReadonlyMap<string, Join> = new Map<string, Join>([
  ['MGET', 'in-order'],
  ['EXISTS', 'sum'],
  ['TOUCH', 'sum'],
  ['DEL', 'sum'],
  ['UNLINK', 'sum'],
]);

/** Sends one part (its arguments, all keys of `slot`) the way any command of that slot goes. */
export type SendPart = (args: RespArgument[], slot: number) => Promise<RespValue>;

/**
 * The command split by slot and joined, or null when it is not one that may be split. `name` is
 * upper case; every argument of these commands is a key.
 */
export function splitAcrossSlots(name: string, args: readonly RespArgument[], send: SendPart): Promise<RespValue> | null {
  const join = SPLIT.get(name);
  if (join === undefined) return null;
  const parts = new Map<number, { args: RespArgument[]; positions: number[] }>();
  args.forEach((key, position) => {
    const slot = keySlot(key);
    let part = parts.get(slot);
    if (part === undefined) parts.set(slot, (part = { args: [], positions: [] }));
    part.args.push(key);
    part.positions.push(position);
  });
  const groups = [...parts];
  return Promise.all(groups.map(([slot, part]) => send(part.args, slot))).then((replies) => {
    if (join === 'sum') return replies.reduce<number>((sum, reply) => sum + Number(reply), 0);
    const values = new Array<RespValue>(args.length);
    groups.forEach(([, part], index) => {
      const reply = replies[index] as RespValue[];
      part.positions.forEach((position, i) => (values[position] = reply[i] as RespValue));
    });
    return values;
  });
}
