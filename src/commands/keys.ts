import type { RespArgument } from '../protocol/types.js';
import type { CommandEntry, KeyBegin, KeyFind } from './command-entry.js';
import { COMMAND_TABLE } from './generated/table.js';

/**
 * The table entry of a command, its subcommand's where the command is a container
 * (`XINFO STREAM`, `OBJECT ENCODING`, …). `args` excludes the command name.
 */
export function commandEntry(name: string, args: readonly RespArgument[]): CommandEntry | undefined {
  const upper = name.toUpperCase();
  const first = args[0];
  if (first !== undefined) {
    const sub = COMMAND_TABLE[`${upper}|${argText(first).toUpperCase()}`];
    if (sub !== undefined) return sub;
  }
  return COMMAND_TABLE[upper];
}

/**
 * Indexes into `args` (which exclude the command name) of the command's keys, read from the
 * server's key specs: `[]` for a keyless command, `undefined` for a command the table does not know.
 */
export function commandKeyIndexes(name: string, args: readonly RespArgument[]): number[] | undefined {
  const entry = commandEntry(name, args);
  if (entry === undefined) return undefined;
  const indexes: number[] = [];
  // Key specs count in argv, where argv[0] is the command name.
  const argc = args.length + 1;
  for (const [begin, find] of entry.keys) {
    const start = beginIndex(begin, args, argc);
    if (start === undefined) continue;
    for (const index of findKeys(find, start, args, argc)) if (!indexes.includes(index - 1)) indexes.push(index - 1);
  }
  // Where a key spec is incomplete the server finds the keys with code of its own; so do we.
  const command = name.toUpperCase();
  if (command === 'SORT') {
    const store = sortStoreIndex(args);
    if (store !== undefined) indexes.push(store);
  } else if (command === 'MIGRATE' && indexes.length > 1) {
    // With KEYS, the single-key position holds an empty string, not a key.
    return indexes.filter((index) => index !== 2);
  }
  return indexes;
}

/** Where SORT's STORE destination is, stepping over the arguments of LIMIT, BY and GET as the server does. */
function sortStoreIndex(args: readonly RespArgument[]): number | undefined {
  const skip: Record<string, number> = { LIMIT: 2, BY: 1, GET: 1 };
  for (let i = 1; i < args.length; i++) {
    const word = argText(args[i] as RespArgument).toUpperCase();
    if (word === 'STORE') return i + 1 < args.length ? i + 1 : undefined;
    i += skip[word] ?? 0;
  }
  return undefined;
}


function beginIndex(begin: KeyBegin, args: readonly RespArgument[], argc: number): number | undefined {
  if (begin[0] === 'index') return begin[1] < argc ? begin[1] : undefined;
  if (begin[0] === 'keyword') {
    const [, keyword, startFrom] = begin;
    const step = startFrom >= 0 ? 1 : -1;
    const end = startFrom >= 0 ? argc : 0;
    for (let i = startFrom >= 0 ? startFrom : argc + startFrom; i !== end && i > 0 && i < argc; i += step) {
      if (argText(args[i - 1] as RespArgument).toUpperCase() === keyword) return i + 1;
    }
  }
  return undefined;
}

function findKeys(find: KeyFind, start: number, args: readonly RespArgument[], argc: number): number[] {
  const keys: number[] = [];
  if (find[0] === 'range') {
    const [, lastKey, step, limit] = find;
    let last: number;
    if (lastKey >= 0) last = start + lastKey;
    else if (lastKey === -1 && limit > 1) last = start + Math.floor((argc - start) / limit) - 1;
    else last = argc + lastKey;
    for (let i = start; i <= last && i < argc; i += Math.max(1, step)) keys.push(i);
  } else if (find[0] === 'keynum') {
    const [, numIndex, first, step] = find;
    const count = Number(argText(args[start + numIndex - 1] ?? '0'));
    if (!Number.isInteger(count) || count < 0) return keys;
    for (let i = 0, at = start + first; i < count && at < argc; i++, at += Math.max(1, step)) keys.push(at);
  }
  return keys;
}

function argText(arg: RespArgument): string {
  return typeof arg === 'string' ? arg : Buffer.isBuffer(arg) || arg instanceof Uint8Array ? Buffer.from(arg).toString('latin1') : String(arg);
}
