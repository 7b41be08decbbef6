/**
 * `client.reauthenticate()`: AUTH again on every live socket with the provider's current answer,
 * without dropping anything (a token about to expire, a rotated password): pooled sockets, the
 * dedicated ones lent to a blocking command or a WATCH, and subscriber sockets (RESP3 takes AUTH
 * while subscribed). Sockets opened later ask the provider themselves.
 *
 * A socket blocked in BLPOP (or any blocking command) cannot run AUTH before that command's
 * reply: the AUTH is written behind it all the same, so the server runs it the moment the
 * blocking command answers and before anything the caller sends next. It is not awaited (a
 * command may block for minutes, or forever); a refusal there is reported through `onLateRefusal`.
 * AUTH never lands inside MULTI … EXEC: a transaction is written in one go.
 */
import { ConnectionError, HitlessError, RedisReplyError, UsageError } from '../errors.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import type { Pipeline } from '../transport/pipeline.js';
import { currentCredentials, type CredentialSource } from './provider.js';

export interface ReauthenticateOptions {
  source: CredentialSource;
  clock: Clock;
  /** Bound on the provider's answer and on each AUTH reply (past the blocking command it waits behind, if any). */
  timeoutMs: number;
  /** An AUTH queued behind a blocking command was refused (the socket keeps its earlier authentication). */
  onLateRefusal?(message: string): void;
}

/**
 * Resolves with how many sockets accepted the new credentials, not counting those whose AUTH
 * waits behind a blocking command. A socket lost meanwhile is not a failure (its replacement asks
 * the provider). Rejects with ERR_AUTH when the server refused them on any socket (that socket
 * keeps its earlier authentication), or when the provider failed.
 */
export async function reauthenticate(pipelines: readonly Pipeline[], options: ReauthenticateOptions): Promise<number> {
  const { username, password } = await currentCredentials(options.source, options.timeoutMs);
  if (password === undefined) throw new UsageError('ERR_INVALID_ARGUMENT', 'reauthenticate() needs a password or a credentials provider in the options');
  const args = username === undefined ? ['AUTH', password] : ['AUTH', username, password];
  const answers: Array<Promise<true | Error>> = [];
  for (const pipeline of pipelines) {
    const behind = pipeline.blockedAhead();
    const answer = new Promise<true | Error>((resolve) => {
      // Behind a blocking command the AUTH counts as blocking too: its deadline starts after that one's.
      pipeline.write(new PendingCommand('AUTH', encodeCommand(args), options.clock.now(), behind + options.timeoutMs, behind, () => resolve(true), resolve));
    });
    if (behind === 0) answers.push(answer);
    else {
      void answer.then((outcome) => {
        const refusal = refusalOf(outcome);
        if (refusal !== undefined) options.onLateRefusal?.(`Re-authentication refused on a connection after its blocking command: ${reasonOf(refusal)}`);
      });
    }
  }
  const outcomes = await Promise.all(answers);
  let accepted = 0;
  const refused: Error[] = [];
  for (const outcome of outcomes) {
    if (outcome === true) accepted++;
    else if (refusalOf(outcome) !== undefined) refused.push(outcome);
  }
  const first = refused[0];
  if (first !== undefined) {
    throw new ConnectionError('ERR_AUTH', `Re-authentication refused on ${refused.length} of ${answers.length} connections: ${reasonOf(first)}`, { cause: first });
  }
  return accepted;
}

/** A lost socket is not a refusal: its replacement asks the provider. */
function refusalOf(outcome: true | Error): Error | undefined {
  return outcome === true || outcome instanceof ConnectionError ? undefined : outcome;
}

function reasonOf(error: Error): string {
  return error instanceof RedisReplyError ? error.message : error instanceof HitlessError ? error.code : 'failed';
}
