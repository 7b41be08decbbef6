/**
 * `client.reauthenticate()`: AUTH again on every live socket with the provider's current answer,
 * without dropping anything (a token about to expire, a rotated password). Sockets opened later
 * ask the provider themselves.
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
  /** Bound on the provider's answer and on each AUTH reply. */
  timeoutMs: number;
}

/**
 * Resolves with how many sockets accepted the new credentials. A socket lost meanwhile is not a
 * failure (its replacement asks the provider). Rejects with ERR_AUTH when the server refused them
 * on any socket (that socket keeps its earlier authentication), or when the provider failed.
 */
export async function reauthenticate(pipelines: readonly Pipeline[], options: ReauthenticateOptions): Promise<number> {
  const { username, password } = await currentCredentials(options.source, options.timeoutMs);
  if (password === undefined) throw new UsageError('ERR_INVALID_ARGUMENT', 'reauthenticate() needs a password or a credentials provider in the options');
  const args = username === undefined ? ['AUTH', password] : ['AUTH', username, password];
  const outcomes = await Promise.all(
    pipelines.map(
      (pipeline) =>
        new Promise<true | Error>((resolve) => {
          pipeline.write(new PendingCommand('AUTH', encodeCommand(args), options.clock.now(), options.timeoutMs, 0, () => resolve(true), resolve));
        }),
    ),
  );
  let accepted = 0;
  const refused: Error[] = [];
  for (const outcome of outcomes) {
    if (outcome === true) accepted++;
    else if (!(outcome instanceof ConnectionError)) refused.push(outcome);
  }
  const first = refused[0];
  if (first !== undefined) {
    const reason = first instanceof RedisReplyError ? first.message : first instanceof HitlessError ? first.code : 'failed';
    throw new ConnectionError('ERR_AUTH', `Re-authentication refused on ${refused.length} of ${pipelines.length} connections: ${reason}`, { cause: first });
  }
  return accepted;
}
