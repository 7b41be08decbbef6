/**
 * Every error hitless raises carries a stable `code`. Classes are branded with Symbol.for so that
 * `instanceof` works when the ESM and the CJS build are both loaded in one process.
 */
const BRAND = Symbol.for('hitless.error');

/** The stable code of every error hitless raises. */
export type HitlessErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_PROTOCOL'
  | 'ERR_REDIS_REPLY'
  | 'ERR_CONNECT'
  | 'ERR_TLS'
  | 'ERR_AUTH'
  | 'ERR_CONNECTION_LOST'
  | 'ERR_COMMAND_TIMEOUT'
  | 'ERR_MAINTENANCE_TIMEOUT'
  | 'ERR_CLIENT_CLOSED'
  | 'ERR_NOT_CONNECTED'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_UNSUPPORTED_COMMAND'
  | 'ERR_HANDSHAKE'
  | 'ERR_MAINT_UNSUPPORTED'
  | 'ERR_HANDOFF'
  | 'ERR_TRANSACTION_ABORTED'
  | 'ERR_WATCH_INTERRUPTED'
  | 'ERR_CROSSSLOT'
  | 'ERR_CLUSTER_TOPOLOGY';

/** What a HitlessError may be built with besides its code and message. */
export interface HitlessErrorOptions {
  cause?: unknown;
}

/** The base of every error hitless raises: a stable `code`, whether a retry may succeed, and whether the command had been sent. */
export class HitlessError extends Error {
  readonly code: HitlessErrorCode;
  /** The failure is transient: the same command may succeed if sent again (see `sent` first). */
  readonly retryable: boolean;
  /**
   * The command had been written to a socket when it failed: it may have run on the server.
   * Retry such a command only when it is idempotent (GET yes, INCR no).
   */
  readonly sent: boolean;

  constructor(code: HitlessErrorCode, message: string, options: HitlessErrorOptions & { retryable?: boolean; sent?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.sent = options.sent ?? false;
    Object.defineProperty(this, BRAND, { value: code });
  }

  override get name(): string {
    return 'HitlessError';
  }

  /** `instanceof` that holds across the ESM and the CJS build (the classes are branded with Symbol.for). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const code = (value as { [BRAND]?: unknown })[BRAND];
    if (typeof code !== 'string') return false;
    // The base class matches every branded error; subclasses match on their own codes.
    const codes = (this as unknown as { codes?: readonly string[] }).codes;
    return codes === undefined || codes.includes(code);
  }
}

/** An option failed validation; the message names the option, the value and the rule. */
export class ConfigError extends HitlessError {
  static readonly codes = ['ERR_CONFIG'] as const;
  readonly option: string;
  constructor(option: string, value: unknown, rule: string) {
    super('ERR_CONFIG', `Invalid option ${option}: ${describe(value)} (${rule})`);
    this.option = option;
  }
  override get name(): string {
    return 'ConfigError';
  }
}

/** Bytes that are not valid RESP. The connection that received them is closed. */
export class ProtocolError extends HitlessError {
  static readonly codes = ['ERR_PROTOCOL'] as const;
  constructor(message: string) {
    super('ERR_PROTOCOL', message);
  }
  override get name(): string {
    return 'ProtocolError';
  }
}

/** An error reply from Redis, carrying the server's text; `prefix` is its first word (ERR, WRONGTYPE, …). */
export class RedisReplyError extends HitlessError {
  static readonly codes = ['ERR_REDIS_REPLY'] as const;
  declare readonly code: 'ERR_REDIS_REPLY';
  readonly prefix: string;
  constructor(serverMessage: string) {
    // Made by the reply decoder, where a stack would only name the decoder's own frames; capturing
    // one is most of what an error reply costs (the handshake gets one from every server that does
    // not know the maintenance opt-in).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('ERR_REDIS_REPLY', serverMessage);
    Error.stackTraceLimit = limit;
    const space = serverMessage.indexOf(' ');
    this.prefix = space === -1 ? serverMessage : serverMessage.slice(0, space);
  }
  override get name(): string {
    return 'RedisReplyError';
  }
}

/**
 * A socket could not be opened, was lost, or the client is closed. `retryable` tells whether resending is safe.
 * `ERR_TLS`: the server's certificate did not verify (nothing was sent over that link).
 * `ERR_AUTH`: the server refused the credentials (wrong password, revoked or disabled user, none
 * given where one is needed; the server's reply is in the message, never the password), or the
 * credentials provider failed (its error is the `cause`), or `reauthenticate()` was refused.
 */
export class ConnectionError extends HitlessError {
  static readonly codes = ['ERR_CONNECT', 'ERR_TLS', 'ERR_AUTH', 'ERR_CONNECTION_LOST', 'ERR_CLIENT_CLOSED', 'ERR_NOT_CONNECTED', 'ERR_HANDSHAKE', 'ERR_MAINT_UNSUPPORTED', 'ERR_HANDOFF', 'ERR_CLUSTER_TOPOLOGY'] as const;
  override get name(): string {
    return 'ConnectionError';
  }
}

/** No reply within the command's deadline. `ERR_MAINTENANCE_TIMEOUT` when the deadline was relaxed for maintenance. */
export class TimeoutError extends HitlessError {
  static readonly codes = ['ERR_COMMAND_TIMEOUT', 'ERR_MAINTENANCE_TIMEOUT'] as const;
  readonly timeoutMs: number;
  constructor(code: 'ERR_COMMAND_TIMEOUT' | 'ERR_MAINTENANCE_TIMEOUT', timeoutMs: number, command: string, sent = true) {
    const during = code === 'ERR_MAINTENANCE_TIMEOUT' ? ' during server maintenance' : '';
    const where = sent ? '' : ' waiting for a connection (it was never sent)';
    super(code, `${command} timed out after ${timeoutMs} ms${where}${during}`, { retryable: true, sent });
    this.timeoutMs = timeoutMs;
  }
  override get name(): string {
    return 'TimeoutError';
  }
}

/** A call that can never succeed as made: a bad argument, or a command the shared pool refuses. */
export class UsageError extends HitlessError {
  static readonly codes = ['ERR_INVALID_ARGUMENT', 'ERR_UNSUPPORTED_COMMAND', 'ERR_CROSSSLOT'] as const;
  override get name(): string {
    return 'UsageError';
  }
}

/**
 * A MULTI/EXEC (or WATCH) could not complete with its guarantees intact; nothing of it was applied unless said.
 * `ERR_WATCH_INTERRUPTED`: the watched connection was handed off or lost between WATCH and EXEC, so
 * EXEC was not sent (it would have run unguarded on the new socket); retryable, nothing executed.
 */
export class TransactionError extends HitlessError {
  static readonly codes = ['ERR_TRANSACTION_ABORTED', 'ERR_WATCH_INTERRUPTED'] as const;
  declare readonly code: 'ERR_TRANSACTION_ABORTED' | 'ERR_WATCH_INTERRUPTED';
  /** EXEC's replies when it ran (errors in place), so applied commands stay visible; empty when it did not run. */
  readonly replies: readonly unknown[];
  constructor(message: string, replies: readonly unknown[], cause?: unknown, code: 'ERR_TRANSACTION_ABORTED' | 'ERR_WATCH_INTERRUPTED' = 'ERR_TRANSACTION_ABORTED') {
    super(code, message, code === 'ERR_WATCH_INTERRUPTED' ? { cause, retryable: true, sent: false } : { cause });
    this.replies = replies;
  }
  override get name(): string {
    return 'TransactionError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || value === undefined) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
