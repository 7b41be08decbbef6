import type { RespValue } from '../protocol/types.js';

/**
 * One command from the call to its reply: all that lives between write and reply is this object
 * and its promise. Deadlines are absolute clock times; `Infinity` means none (a blocking command
 * that blocks forever).
 */
export class PendingCommand {
  /** Set once the caller has been answered (reply, error or timeout); a late reply is then dropped. */
  settled = false;
  /** Set when the command was in flight (or waiting) during a maintenance relaxation. */
  relaxed = false;
  /** Its reply's bulk strings are wanted as Buffers. */
  binary = false;

  constructor(
    /** The command name, for error messages (arguments are never put in errors: they may be secrets). */
    readonly name: string,
    /** The command's bytes until written; dropped then, so a large value is not kept until the reply. */
    public encoded: string | Buffer,
    /** When the caller issued it, on the client's clock. */
    readonly start: number,
    /** Reply deadline length in ms (Infinity for none). Only ever grows. */
    public timeout: number,
    /** For a blocking command, its block time (part of its deadline); 0 otherwise. */
    readonly blockMs: number,
    readonly resolve: (value: RespValue) => void,
    readonly reject: (error: Error) => void,
  ) {}

  get deadline(): number {
    return this.start + this.timeout;
  }

  /**
   * Stretches the deadline to at least `relaxedTimeout` ms past the block time; never shortens it,
   * never adds one to a command that had none (Infinity stays Infinity).
   */
  relax(relaxedTimeout: number): void {
    this.relaxed = true;
    const timeout = this.blockMs + relaxedTimeout;
    if (this.timeout < timeout) this.timeout = timeout;
  }

  succeed(value: RespValue): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(value);
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }
}
