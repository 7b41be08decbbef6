import { createHash } from 'node:crypto';
import { RedisReplyError, UsageError } from '../errors.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import type { CommandCaller } from './methods.js';

/** A Lua script for `defineScript`. */
export interface ScriptDefinition {
  /** The Lua source. */
  lua: string;
  /** How many of the call's arguments are keys; default: as many as the call passes in its first array. */
  keys?: number;
  /** Sends EVALSHA_RO / EVAL_RO (the script must not write; replicas may serve it). */
  readOnly?: boolean;
}

/** `await script(keys, args)`: the script's reply. */
export type Script = (keys?: readonly RespArgument[], args?: readonly RespArgument[]) => Promise<RespValue>;

/**
 * A script sent by its SHA1 (EVALSHA). When the server does not have it (NOSCRIPT: a restarted
 * server, or a handoff or failover to a node that never saw it), it is sent once more in full with
 * EVAL, which also loads it there. A NOSCRIPT reply proves the script did not run, so a write
 * script never runs twice.
 */
export function defineScript(caller: CommandCaller, definition: ScriptDefinition): Script {
  if (typeof definition !== 'object' || definition === null || typeof definition.lua !== 'string' || definition.lua === '') {
    throw new UsageError('ERR_INVALID_ARGUMENT', 'defineScript() takes { lua: string, keys?: number, readOnly?: boolean }');
  }
  const { lua, keys: keyCount, readOnly = false } = definition;
  if (keyCount !== undefined && (!Number.isInteger(keyCount) || keyCount < 0)) throw new UsageError('ERR_INVALID_ARGUMENT', `defineScript(): keys must be a non-negative integer, got ${String(keyCount)}`);
  const sha = createHash('sha1').update(lua).digest('hex');
  const evalsha = readOnly ? 'EVALSHA_RO' : 'EVALSHA';
  const evalFull = readOnly ? 'EVAL_RO' : 'EVAL';
  return async (keys = [], args = []) => {
    if (keyCount !== undefined && keys.length !== keyCount) throw new UsageError('ERR_INVALID_ARGUMENT', `this script takes ${keyCount} key(s), got ${keys.length}`);
    try {
      return await caller.call(evalsha, sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof RedisReplyError) || error.prefix !== 'NOSCRIPT') throw error;
      return caller.call(evalFull, lua, keys.length, ...keys, ...args);
    }
  };
}
