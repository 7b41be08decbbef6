/**
 * Rewrites the arguments of a blocking command so that it can be issued again: with the block
 * time it has left, and for XREAD with `$` replaced by a concrete id (`$` means "what arrives
 * after this command runs", which a second issue would move forward, missing what came between).
 * Tuples include the command name.
 */
import { blockTimeArgument } from '../commands/command-kinds.js';
import type { RespArgument } from '../protocol/types.js';

/** Where the block time sits in the tuple and in which unit (see blockTimeArgument), or undefined when the command does not block. */
function blockArgument(tuple: readonly RespArgument[]): { index: number; unit: 's' | 'ms' } | undefined {
  const at = blockTimeArgument(String(tuple[0]).toUpperCase(), tuple.slice(1));
  return at === undefined ? undefined : { index: at.index + 1, unit: at.unit };
}

function streamsIndex(tuple: readonly RespArgument[]): number {
  for (let i = 1; i < tuple.length; i++) if (String(tuple[i]).toUpperCase() === 'STREAMS') return i;
  return tuple.length;
}

/** The same command blocking for `blockMs` (Infinity: forever). */
export function withBlockTime(tuple: readonly RespArgument[], blockMs: number): RespArgument[] {
  const at = blockArgument(tuple);
  const copy = [...tuple];
  if (at === undefined) return copy;
  if (blockMs === Infinity) copy[at.index] = '0';
  else if (at.unit === 's') copy[at.index] = (Math.max(1, Math.ceil(blockMs)) / 1000).toFixed(3);
  else copy[at.index] = String(Math.max(1, Math.ceil(blockMs)));
  return copy;
}

/** For XREAD: the keys whose id is `$`, with the index of that id. */
export function dollarIds(tuple: readonly RespArgument[]): Array<{ key: RespArgument; index: number }> {
  if (String(tuple[0]).toUpperCase() !== 'XREAD') return [];
  const at = streamsIndex(tuple);
  const count = Math.floor((tuple.length - at - 1) / 2);
  const found: Array<{ key: RespArgument; index: number }> = [];
  for (let i = 0; i < count; i++) {
    const index = at + 1 + count + i;
    if (String(tuple[index]) === '$') found.push({ key: tuple[at + 1 + i] as RespArgument, index });
  }
  return found;
}
