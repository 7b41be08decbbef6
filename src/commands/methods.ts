import type { RespArgument, RespValue } from '../protocol/types.js';
import type { CommandArgument } from './command-entry.js';
import { COMMAND_METHODS } from './generated/methods.js';
import { scanHash, scanKeys, scanSet, scanSortedSet, type ScanOptions } from './scan.js';
import { defineScript, type Script, type ScriptDefinition } from './scripts.js';

/** Anything the typed methods can be bound to: the standalone client, a cluster, a transaction. */
export interface CommandCaller {
  call(command: string, ...args: RespArgument[]): Promise<RespValue>;
  callBuffer(command: string, ...args: RespArgument[]): Promise<RespValue>;
}

/** Cursor walks and scripts, built on `call` and bound with the typed methods. */
export interface CommandHelpers {
  /** `for await (const key of client.scanIterator({ match, count, type }))`: each key once (see scan.ts). */
  scanIterator(options?: ScanOptions): AsyncGenerator<string>;
  /** `for await (const [field, value] of client.hscanIterator(key))`: each field once. */
  hscanIterator(key: RespArgument, options?: Omit<ScanOptions, 'type'>): AsyncGenerator<[field: string, value: string]>;
  /** `for await (const member of client.sscanIterator(key))`: each member once. */
  sscanIterator(key: RespArgument, options?: Omit<ScanOptions, 'type'>): AsyncGenerator<string>;
  /** `for await (const [member, score] of client.zscanIterator(key))`: each member once. */
  zscanIterator(key: RespArgument, options?: Omit<ScanOptions, 'type'>): AsyncGenerator<[member: string, score: number]>;
  /** A script called by SHA1 (EVALSHA), loaded again on NOSCRIPT; `readOnly` uses EVALSHA_RO. */
  defineScript(definition: ScriptDefinition): Script;
}

const HELPERS: { [K in keyof CommandHelpers]: (this: CommandCaller, ...args: never[]) => unknown } = {
  scanIterator(options?: ScanOptions) {
    return scanKeys(this, options);
  },
  hscanIterator(key: RespArgument, options?: ScanOptions) {
    return scanHash(this, key, options);
  },
  sscanIterator(key: RespArgument, options?: ScanOptions) {
    return scanSet(this, key, options);
  },
  zscanIterator(key: RespArgument, options?: ScanOptions) {
    return scanSortedSet(this, key, options);
  },
  defineScript(definition: ScriptDefinition) {
    return defineScript(this, definition);
  },
};

/**
 * Defines every generated command method (and its `…Buffer` variant) and the helpers on `prototype`, as a call
 * through `call`/`callBuffer`; methods the prototype already has are left alone.
 */
export function installCommandMethods(prototype: object): void {
  const define = (method: string, value: (this: CommandCaller, ...args: never[]) => unknown) => {
    if (method in prototype) return;
    Object.defineProperty(prototype, method, { value, writable: true, configurable: true, enumerable: false });
  };
  for (const [name, helper] of Object.entries(HELPERS)) define(name, helper);
  for (const [method, command, buffered] of COMMAND_METHODS) {
    define(method, function (...args: CommandArgument[]) {
      return this.call(command, ...flattenArguments(args));
    });
    if (buffered) {
      define(`${method}Buffer`, function (...args: CommandArgument[]) {
        return this.callBuffer(command, ...flattenArguments(args));
      });
    }
  }
}

/** Arrays are spread and plain objects become field/value pairs (`hset(key, { a: 1 })`), as ioredis and node-redis accept. */
export function flattenArguments(args: readonly CommandArgument[]): RespArgument[] {
  let plain = true;
  for (const arg of args) {
    if (!isArgument(arg)) {
      plain = false;
      break;
    }
  }
  if (plain) return args as RespArgument[];
  const flat: RespArgument[] = [];
  for (const arg of args) {
    if (isArgument(arg)) flat.push(arg);
    else if (Array.isArray(arg)) flat.push(...(arg as readonly RespArgument[]));
    else if (arg !== null && typeof arg === 'object') for (const [field, value] of Object.entries(arg)) flat.push(field, value);
    else flat.push(arg as RespArgument);
  }
  return flat;
}

function isArgument(arg: CommandArgument): arg is RespArgument {
  return typeof arg !== 'object' || arg instanceof Uint8Array;
}
