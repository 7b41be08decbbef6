import type { RespArgument } from '../protocol/types.js';

/** Where a command's keys start: at a fixed index of argv, or after a keyword searched from `startFrom`. */
export type KeyBegin = readonly ['index', number] | readonly ['keyword', string, number] | readonly ['unknown'];
/** Which arguments from there are keys: a range (last −1 = to the end, `limit` divides what remains) or a count read from argv. */
export type KeyFind = readonly ['range', number, number, number] | readonly ['keynum', number, number, number] | readonly ['unknown'];

/** One command of the server, as COMMAND INFO describes it (see scripts/generate-commands.ts). */
export interface CommandEntry {
  readonly arity: number;
  readonly group: string;
  readonly flags: readonly string[];
  /** The server's key specs, compacted: [begin_search, find_keys]. */
  readonly keys: ReadonlyArray<readonly [KeyBegin, KeyFind]>;
  /** The server's request_policy tip (how a cluster client should route a keyless command). */
  readonly policy?: string;
  /** The server's response_policy tip (how a cluster client joins the replies of a fanned-out command). */
  readonly response?: string;
}

/** What a typed method's rest parameters take: arguments, arrays of them (flattened) and objects (field/value pairs). */
export type CommandArgument = RespArgument | readonly RespArgument[] | { readonly [field: string]: RespArgument };
