/**
 * The slot a command goes to, from the command table's key positions (never guessed): -1 for a
 * keyless or unknown command (any primary; a MOVED corrects an unknown one), CROSSSLOT when its
 * keys hash to different slots.
 */
import { commandKeyIndexes } from '../commands/keys.js';
import type { RespArgument } from '../protocol/types.js';
import { keySlot } from './slot.js';

export const KEYLESS = -1;
export const CROSSSLOT = -2;

export function commandSlot(name: string, args: readonly RespArgument[]): number {
  const indexes = commandKeyIndexes(name, args);
  if (indexes === undefined || indexes.length === 0) return KEYLESS;
  const slot = keySlot(args[indexes[0] as number] as RespArgument);
  for (let i = 1; i < indexes.length; i++) {
    if (keySlot(args[indexes[i] as number] as RespArgument) !== slot) return CROSSSLOT;
  }
  return slot;
}
