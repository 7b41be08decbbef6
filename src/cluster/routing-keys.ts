/**
 * The slot a command goes to, from the command table's key positions (never guessed): -1 for a
 * keyless or unknown command (any primary; a MOVED corrects an unknown one), CROSSSLOT when its
 * keys hash to different slots.
 */
import type { CommandEntry } from '../commands/command-entry.js';
import { COMMAND_TABLE } from '../commands/generated/table.js';
import { commandKeyIndexes } from '../commands/keys.js';
import type { RespArgument } from '../protocol/types.js';
import { keySlot } from './slot.js';

export const KEYLESS = -1;
export const CROSSSLOT = -2;

/** Commands with subcommands (`OBJECT|ENCODING`, …): their keys depend on the subcommand. */
const CONTAINERS = new Set(Object.keys(COMMAND_TABLE).flatMap((name) => (name.includes('|') ? [name.slice(0, name.indexOf('|'))] : [])));

/**
 * Whether a command's one key is its first argument and nothing else is (GET, SET, INCR, HSET, …:
 * most commands), read from its key spec once per name; those skip the general key-spec walk.
 */
const firstArgumentOnly = new Map<string, boolean>();

function isFirstArgumentOnly(name: string): boolean {
  let known = firstArgumentOnly.get(name);
  if (known === undefined) {
    const entry: CommandEntry | undefined = CONTAINERS.has(name) ? undefined : COMMAND_TABLE[name];
    const spec = entry?.keys.length === 1 ? entry.keys[0] : undefined;
    known = spec !== undefined && spec[0][0] === 'index' && spec[0][1] === 1 && spec[1][0] === 'range' && spec[1][1] === 0;
    // Only names from the table are cached: the map cannot grow with arbitrary input.
    if (entry !== undefined) firstArgumentOnly.set(name, known);
  }
  return known;
}

/** `name` is upper case; `args` exclude it. */
export function commandSlot(name: string, args: readonly RespArgument[]): number {
  if (args.length > 0 && isFirstArgumentOnly(name)) return keySlot(args[0] as RespArgument);
  const indexes = commandKeyIndexes(name, args);
  if (indexes === undefined || indexes.length === 0) return KEYLESS;
  const slot = keySlot(args[indexes[0] as number] as RespArgument);
  for (let i = 1; i < indexes.length; i++) {
    if (keySlot(args[indexes[i] as number] as RespArgument) !== slot) return CROSSSLOT;
  }
  return slot;
}
