/**
 * `retryReads` (default on): a read-only command (by the command table's `readonly` flag) whose
 * socket failed under it is sent once more, within its own deadline. Writes are never re-sent: a
 * write whose connection was lost after it was written may have run.
 */
import { ConnectionError } from '../errors.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import type { Clock } from './clock.js';
import { PendingCommand } from './command.js';

/** Where a read is sent again: the pool's routing. One per client, shared by every read. */
export interface ReadResender {
  readonly clock: Clock;
  send(command: PendingCommand): void;
}

/**
 * The failures a second try can cure: the socket closed before the command was written (a
 * closing or lost pipeline), or was lost or handed off with the command in flight. Not a
 * timeout (the deadline is spent), not a Redis error reply (the server answered).
 */
export function isRetriableFailure(error: Error): boolean {
  return error instanceof ConnectionError && (error.code === 'ERR_CONNECTION_LOST' || error.code === 'ERR_HANDOFF');
}

export class RetriableRead extends PendingCommand {
  private retried = false;

  constructor(
    name: string,
    private readonly args: readonly RespArgument[],
    start: number,
    timeout: number,
    resolve: (value: RespValue) => void,
    reject: (error: Error) => void,
    private readonly resender: ReadResender,
  ) {
    super(name, encodeCommand(args), start, timeout, 0, resolve, reject);
  }

  override fail(error: Error): void {
    if (this.settled || this.retried || !isRetriableFailure(error) || this.resender.clock.now() >= this.deadline) {
      super.fail(error);
      return;
    }
    // The pipeline that failed it has already let go of it (shifted out of its FIFO). Re-sent on
    // the next tick, so that the pool sees the failed socket gone before routing it again.
    this.retried = true;
    process.nextTick(resend, this);
  }

  /** Sends it again with the same deadline (the caller's budget is not extended). */
  resendNow(): void {
    if (this.settled) return;
    this.encoded = encodeCommand(this.args);
    this.resender.send(this);
  }
}

function resend(command: RetriableRead): void {
  command.resendNow();
}
