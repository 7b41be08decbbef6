import { HitlessError } from '../errors.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import type { CommandCaller } from './methods.js';

/** Options of the scan iterators. */
export interface ScanOptions {
  /** MATCH pattern. */
  match?: string;
  /** COUNT hint: how much work the server does per call. */
  count?: number;
  /** TYPE filter (SCAN only): `string`, `hash`, `zset`, … */
  type?: string;
}

/** A SCAN call that failed with a retryable error (lost connection, handoff) is sent again with the same cursor, this many times. */
export const SCAN_RETRIES = 3;

/**
 * Walks a cursor with SCAN/HSCAN/SSCAN/ZSCAN and yields each item once. SCAN may return an item
 * twice (a rehash, a reply from another node after a handoff or failover), so the walk remembers
 * what it yielded: memory grows with the number of distinct items. A call lost to a reconnect or
 * handoff is read-only and sent again with the same cursor; other errors end the walk.
 */
async function* walk(caller: CommandCaller, command: string, key: RespArgument[], options: ScanOptions, width: 1 | 2): AsyncGenerator<string[]> {
  const extra: RespArgument[] = [];
  if (options.match !== undefined) extra.push('MATCH', options.match);
  if (options.count !== undefined) extra.push('COUNT', options.count);
  if (options.type !== undefined) extra.push('TYPE', options.type);
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, items] = await callWithRetry(caller, command, [...key, cursor, ...extra]);
    cursor = next;
    for (let i = 0; i + width <= items.length; i += width) {
      const item = items[i] as string;
      if (seen.has(item)) continue;
      seen.add(item);
      yield items.slice(i, i + width);
    }
  } while (cursor !== '0');
}

async function callWithRetry(caller: CommandCaller, command: string, args: RespArgument[]): Promise<[string, string[]]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const reply = (await caller.call(command, ...args)) as RespValue[];
      return [String(reply[0]), reply[1] as string[]];
    } catch (error) {
      if (!(error instanceof HitlessError) || !error.retryable || attempt >= SCAN_RETRIES) throw error;
    }
  }
}

export async function* scanKeys(caller: CommandCaller, options: ScanOptions = {}): AsyncGenerator<string> {
  for await (const [key] of walk(caller, 'SCAN', [], options, 1)) yield key as string;
}

export async function* scanHash(caller: CommandCaller, key: RespArgument, options: Omit<ScanOptions, 'type'> = {}): AsyncGenerator<[field: string, value: string]> {
  for await (const [field, value] of walk(caller, 'HSCAN', [key], options, 2)) yield [field as string, value as string];
}

export async function* scanSet(caller: CommandCaller, key: RespArgument, options: Omit<ScanOptions, 'type'> = {}): AsyncGenerator<string> {
  for await (const [member] of walk(caller, 'SSCAN', [key], options, 1)) yield member as string;
}

export async function* scanSortedSet(caller: CommandCaller, key: RespArgument, options: Omit<ScanOptions, 'type'> = {}): AsyncGenerator<[member: string, score: number]> {
  for await (const [member, score] of walk(caller, 'ZSCAN', [key], options, 2)) yield [member as string, Number(score)];
}
