import { TransactionError, UsageError } from '../errors.js';
import { encodeCommand, isRespArgument } from '../protocol/encoder.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import type { Pipeline } from '../transport/pipeline.js';
import type { Connection } from '../pool/connection.js';
import { blockTimeMs, refusalReason } from '../commands/command-kinds.js';
import { transactionBatch, validateTuples, type CommandTuple } from './batch.js';
import { invalidArgument } from '../commands/command-kinds.js';
import { execOutcome, isWatchConflict } from './exec-outcome.js';

/** The watched connection, as the callback of `client.watch()` sees it. */
export interface Transaction {
  /** Any command on the watched connection (reads of the watched keys, typically). */
  call(command: string, ...args: RespArgument[]): Promise<RespValue>;
  /** GET on the watched connection. */
  get(key: RespArgument): Promise<string | null>;
  /** MULTI … EXEC on the watched connection; once per callback. Resolves to EXEC's replies. */
  multi(commands: CommandTuple[]): Promise<RespValue[]>;
}

/** Options of `watch()`. */
export interface WatchOptions {
  /**
   * How many times the callback runs again after ERR_TRANSACTION_ABORTED (a watched key changed)
   * or ERR_WATCH_INTERRUPTED (the connection was handed off or lost); default 0.
   */
  retries?: number;
}

export interface WatchHost {
  clock: Clock;
  commandTimeout: number;
  lease(timeoutMs: number): Promise<Connection>;
  release(connection: Connection): void;
}

export const MAX_WATCH_RETRIES = 1000;
/** Upper bound of the random pause before a retry after a conflict. */
export const MAX_CONFLICT_PAUSE_MS = 20;

function pause(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * WATCH … MULTI … EXEC on a leased connection. WATCH is a property of one server session: should
 * the connection swap its socket (handoff) or lose it, EXEC on the new socket would run
 * unguarded, so from then on the transaction refuses to send EXEC and fails with
 * ERR_WATCH_INTERRUPTED (nothing executed). The callback runs again on conflicts and
 * interruptions, up to `retries` times.
 */
export async function watch<T>(host: WatchHost, keys: readonly RespArgument[], body: (tx: Transaction) => Promise<T>, options: WatchOptions = {}): Promise<T> {
  if (!Array.isArray(keys) || keys.length === 0) throw new UsageError('ERR_INVALID_ARGUMENT', 'watch() takes a non-empty array of keys');
  keys.forEach((key, i) => {
    if (!isRespArgument(key)) throw invalidArgument('WATCH', i, key);
  });
  if (typeof body !== 'function') throw new UsageError('ERR_INVALID_ARGUMENT', 'watch() takes an async callback (tx) => …');
  const retries = options.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_WATCH_RETRIES) {
    throw new UsageError('ERR_INVALID_ARGUMENT', `watch() option retries must be an integer from 0 to ${MAX_WATCH_RETRIES}; got ${String(retries)}`);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(host, keys, body);
    } catch (error) {
      const conflict = isWatchConflict(error);
      if (!(conflict || (error instanceof TransactionError && error.code === 'ERR_WATCH_INTERRUPTED')) || attempt >= retries) throw error;
      // Contending writers: a short random pause keeps them from aborting each other in lockstep.
      if (conflict) await pause(host.clock, Math.random() * Math.min(2 ** attempt, MAX_CONFLICT_PAUSE_MS));
    }
  }
}

async function attemptOnce<T>(host: WatchHost, keys: readonly RespArgument[], body: (tx: Transaction) => Promise<T>): Promise<T> {
  const connection = await host.lease(host.commandTimeout);
  const session = new WatchSession(host, connection);
  try {
    await session.send(['WATCH', ...keys]);
    session.watching = true;
    return await body(session.tx);
  } finally {
    await session.end();
    host.release(connection);
  }
}

class WatchSession {
  /** The socket WATCH was sent on: only it carries the guard. */
  private readonly socket: Pipeline | null;
  watching = false;
  private executed = false;
  private ended = false;
  readonly tx: Transaction;

  constructor(private readonly host: WatchHost, private readonly connection: Connection) {
    this.socket = connection.pipeline;
    this.tx = {
      call: (command, ...args) => this.call(command, args),
      get: (key) => this.call('GET', [key]) as Promise<string | null>,
      multi: (commands) => this.multi(commands),
    };
  }

  /** Still on the socket that holds the WATCH, and that socket takes commands. */
  private intact(): boolean {
    return this.socket !== null && this.connection.pipeline === this.socket && this.socket.writable && this.connection.ready;
  }

  private check(command: string): void {
    if (this.ended) throw new UsageError('ERR_INVALID_ARGUMENT', `${command}: the transaction object is used after its watch() callback ended`);
    if (!this.intact()) {
      throw new TransactionError(
        `${command} not sent: the watched connection was handed off or lost after WATCH, so the transaction would run unguarded; nothing was executed`,
        [],
        undefined,
        'ERR_WATCH_INTERRUPTED',
      );
    }
  }

  send(tuple: CommandTuple, timeout = this.host.commandTimeout, blockMs = 0): Promise<RespValue> {
    const name = tuple[0].toUpperCase();
    this.check(name);
    return new Promise((resolve, reject) => {
      this.connection.write(new PendingCommand(name, encodeCommand(tuple), this.host.clock.now(), timeout, blockMs, resolve, reject));
    });
  }

  private async call(command: string, args: RespArgument[]): Promise<RespValue> {
    if (typeof command !== 'string' || command === '') throw new UsageError('ERR_INVALID_ARGUMENT', 'The command name must be a non-empty string');
    args.forEach((arg, i) => {
      if (!isRespArgument(arg)) throw invalidArgument(command, i, arg);
    });
    const name = command.toUpperCase();
    if (name === 'MULTI' || name === 'EXEC' || name === 'DISCARD') throw new UsageError('ERR_UNSUPPORTED_COMMAND', `${name} is not sent through tx.call(): use tx.multi([...])`);
    const refusal = name === 'WATCH' || name === 'UNWATCH' ? undefined : refusalReason(name, args);
    if (refusal !== undefined) throw new UsageError('ERR_UNSUPPORTED_COMMAND', `${name} is not sent inside watch(): ${refusal}`);
    const blockMs = blockTimeMs(name, args) ?? 0;
    return this.send([command, ...args], blockMs + this.host.commandTimeout, blockMs);
  }

  private async multi(commands: CommandTuple[]): Promise<RespValue[]> {
    validateTuples(commands, 'tx.multi()');
    if (this.executed) throw new UsageError('ERR_INVALID_ARGUMENT', 'tx.multi() runs once per watch() callback: EXEC ends the WATCH');
    this.check('EXEC');
    this.executed = true;
    this.watching = false;
    const { pending, settled } = transactionBatch(commands, this.host.clock.now(), this.host.commandTimeout);
    // Written in one tick: the whole batch goes out in one socket write on the watched socket.
    for (const command of pending) this.connection.write(command);
    return execOutcome(await Promise.all(settled));
  }

  /** UNWATCH when the callback ended without EXEC (threw, or returned early), if the guard is still there. */
  async end(): Promise<void> {
    const unwatch = this.watching && this.intact();
    this.ended = true;
    if (!unwatch) return;
    await new Promise<void>((resolve) => {
      // Any outcome will do: a lost socket took the WATCH with it.
      this.connection.write(new PendingCommand('UNWATCH', encodeCommand(['UNWATCH']), this.host.clock.now(), this.host.commandTimeout, 0, () => resolve(), () => resolve()));
    });
  }
}
