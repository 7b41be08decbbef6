/**
 * How the client treats a command by name: blocking commands get a dedicated connection and a
 * deadline of block time + commandTimeout; commands that would change the state of a shared,
 * multiplexed connection are refused with a pointer to the API that does it safely.
 */
import { UsageError } from '../errors.js';
import { isRespArgument } from '../protocol/encoder.js';

/** Where a blocking command's block time sits in `args` (which exclude the command name) and its unit, or undefined when the command does not block. */
export function blockTimeArgument(name: string, args: readonly unknown[]): { index: number; unit: 's' | 'ms' } | undefined {
  switch (name) {
    case 'BLPOP':
    case 'BRPOP':
    case 'BZPOPMIN':
    case 'BZPOPMAX':
    case 'BRPOPLPUSH':
    case 'BLMOVE':
      return { index: args.length - 1, unit: 's' };
    case 'BLMPOP':
    case 'BZMPOP':
      return { index: 0, unit: 's' };
    case 'XREAD':
    case 'XREADGROUP': {
      for (let i = 0; i < args.length - 1; i++) {
        const word = String(args[i]).toUpperCase();
        if (word === 'STREAMS') return undefined;
        if (word === 'BLOCK') return { index: i + 1, unit: 'ms' };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Block time in ms (Infinity = blocks forever), or undefined when the command does not block. `args` excludes the command name. */
export function blockTimeMs(name: string, args: readonly unknown[]): number | undefined {
  const at = blockTimeArgument(name, args);
  if (at === undefined) return undefined;
  return at.unit === 's' ? seconds(args[at.index]) : milliseconds(args[at.index]);
}

function seconds(value: unknown): number {
  const n = Number(value);
  return !Number.isFinite(n) || n <= 0 ? Infinity : n * 1000;
}

function milliseconds(value: unknown): number {
  const n = Number(value);
  return !Number.isFinite(n) || n <= 0 ? Infinity : n;
}

const REFUSED: Record<string, string> = {
  MULTI: 'use client.multi([...]) for transactions',
  EXEC: 'use client.multi([...]) for transactions',
  DISCARD: 'use client.multi([...]) for transactions',
  WATCH: 'use client.watch(keys, async (tx) => …) (WATCH needs a connection of its own)',
  UNWATCH: 'use client.watch(keys, async (tx) => …): it UNWATCHes when the callback ends',
  SELECT: 'set the database option instead (every pooled connection must use the same database)',
  SUBSCRIBE: "subscriptions live on the client's own subscriber connection; use client.subscribe(channels, listener) or client.subscribe$(...channels)",
  PSUBSCRIBE: "subscriptions live on the client's own subscriber connection; use client.psubscribe(patterns, listener) or client.psubscribe$(...patterns)",
  SSUBSCRIBE: "subscriptions live on the client's own subscriber connection; use client.ssubscribe(shardChannels, listener) or client.ssubscribe$(...shardChannels)",
  UNSUBSCRIBE: "subscriptions live on the client's own subscriber connection; call the function client.subscribe() resolved to, or unsubscribe from the subscribe$() stream",
  PUNSUBSCRIBE: "subscriptions live on the client's own subscriber connection; call the function client.psubscribe() resolved to, or unsubscribe from the psubscribe$() stream",
  SUNSUBSCRIBE: "subscriptions live on the client's own subscriber connection; call the function client.ssubscribe() resolved to, or unsubscribe from the ssubscribe$() stream",
  MONITOR: 'MONITOR takes over a connection; use redis-cli',
  QUIT: 'use client.close()',
  RESET: 'RESET would undo the handshake of a shared connection',
  HELLO: 'the handshake is managed by the client',
  AUTH: 'set username/password in the options',
  READONLY: 'READONLY would change a shared connection',
  READWRITE: 'READWRITE would change a shared connection',
  WAIT: "WAIT counts acknowledgements of the calling connection's writes, and pooled writes are spread over connections",
  WAITAOF: "WAITAOF counts acknowledgements of the calling connection's writes, and pooled writes are spread over connections",
};

const CLIENT_SUBCOMMANDS_REFUSED = new Set(['MAINT_NOTIFICATIONS', 'SETNAME', 'TRACKING', 'REPLY', 'NO-EVICT', 'NO-TOUCH', 'SETINFO']);

/** Why `name` cannot be sent through the shared pool, or undefined when it can. `args` excludes the command name. */
export function refusalReason(name: string, args: readonly unknown[]): string | undefined {
  if (name === 'CLIENT') {
    const sub = String(args[0] ?? '').toUpperCase();
    if (sub === 'TRACKING') return 'CLIENT TRACKING is managed by the client: use the clientSideCache option';
    if (CLIENT_SUBCOMMANDS_REFUSED.has(sub)) {
      return `CLIENT ${sub} changes a shared connection; it is managed by the client`;
    }
    return undefined;
  }
  return REFUSED[name];
}

/**
 * The upper-case name of a command the client may send as given, or the typed error that refuses
 * it (no name, an argument that is not a string/number/bigint/Buffer, a refused command). The
 * standalone client and the cluster check every command with it before routing.
 */
export function vetCommand(command: string, args: readonly unknown[]): string | UsageError {
  if (typeof command !== 'string' || command === '') return new UsageError('ERR_INVALID_ARGUMENT', 'The command name must be a non-empty string');
  for (let i = 0; i < args.length; i++) {
    if (!isRespArgument(args[i])) return invalidArgument(command, i, args[i]);
  }
  const name = command.toUpperCase();
  const refusal = refusalReason(name, args);
  return refusal === undefined ? name : new UsageError('ERR_UNSUPPORTED_COMMAND', `${name} is not sent through the shared pool: ${refusal}`);
}

export function invalidArgument(command: string, index: number, value: unknown): UsageError {
  const kind = value === null ? 'null' : typeof value === 'number' ? String(value) : typeof value;
  return new UsageError('ERR_INVALID_ARGUMENT', `${command}: argument ${index + 1} is ${kind}; arguments must be strings, finite numbers, bigints or Buffers`);
}
