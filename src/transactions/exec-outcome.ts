import { RedisReplyError, TransactionError } from '../errors.js';
import type { RespValue } from '../protocol/types.js';

/** How one command of a MULTI … EXEC batch ended: its reply, or the error it failed with. */
export interface Settled {
  ok: boolean;
  value: unknown;
}

/**
 * What the replies to `MULTI, …commands, EXEC` mean for the caller: EXEC's replies, or a
 * TransactionError — not executed (a command was refused while queueing, or a watched key
 * changed: EXEC answered null) or executed with a failed command inside (its replies attached).
 * A connection error on EXEC itself is rethrown as is: it carries whether EXEC was sent.
 */
export function execOutcome(outcomes: readonly Settled[]): RespValue[] {
  const exec = outcomes[outcomes.length - 1] as Settled;
  if (!exec.ok) {
    const queueError = outcomes.slice(1, -1).find((outcome) => !outcome.ok)?.value as Error | undefined;
    const cause = exec.value as Error;
    if (!(cause instanceof RedisReplyError)) throw cause;
    throw new TransactionError(`Transaction not executed: ${queueError?.message ?? cause.message}`, [], queueError ?? cause);
  }
  const replies = exec.value as RespValue[] | null;
  if (replies === null) throw new TransactionError('Transaction not executed: a watched key changed', []);
  const failed = replies.find((reply) => reply instanceof RedisReplyError) as RedisReplyError | undefined;
  if (failed !== undefined) throw new TransactionError(`A command inside the transaction failed: ${failed.message}`, replies, failed);
  return replies;
}

/** A watched key changed (EXEC answered null): nothing ran, and running the callback again may succeed. */
export function isWatchConflict(error: unknown): boolean {
  return error instanceof TransactionError && error.code === 'ERR_TRANSACTION_ABORTED' && error.replies.length === 0 && error.cause === undefined;
}
