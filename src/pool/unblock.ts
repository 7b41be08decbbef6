import type { ResolvedClientOptions } from '../config.js';
import { RedisReplyError } from '../errors.js';
import type { Endpoint } from '../protocol/endpoint.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import { currentCredentials } from '../credentials/provider.js';
import { openConnection } from '../transport/open.js';
import { plainHandshake } from './opener.js';

/**
 * `unblocked`: the command ended with -UNBLOCKED, nothing taken. `not-blocked`: it was served
 * (its reply is on the way) or has not blocked yet. `refused`: the server denies CLIENT UNBLOCK
 * (ACL). `failed`: the old endpoint could not be reached.
 */
export type UnblockResult = 'unblocked' | 'not-blocked' | 'refused' | 'failed';

/**
 * `CLIENT UNBLOCK <id> ERROR` for the connection `clientId` of the server at `endpoint`, over a
 * short-lived connection of its own (ids are per server, so it must reach the old endpoint; it
 * does not opt in to maintenance notifications: it lives for one round trip).
 */
export async function unblockClient(options: ResolvedClientOptions, clock: Clock, endpoint: Endpoint, clientId: number, timeoutMs: number): Promise<UnblockResult> {
  let pipeline;
  try {
    const credentials = await currentCredentials(options, Math.min(options.connectTimeout, timeoutMs));
    ({ pipeline } = await openConnection({
      endpoint,
      clock,
      dial: { tls: options.tls, connectTimeout: Math.min(options.connectTimeout, timeoutMs), configuredHost: options.host },
      handshake: plainHandshake(options, credentials),
      handlers: { onPush: () => {}, onLost: () => {} },
    }));
  } catch {
    return 'failed';
  }
  const opened = pipeline;
  try {
    const reply = await new Promise((resolve, reject) => {
      opened.write(new PendingCommand('CLIENT', encodeCommand(['CLIENT', 'UNBLOCK', String(clientId), 'ERROR']), clock.now(), timeoutMs, 0, resolve, reject));
    });
    return reply === 1 ? 'unblocked' : 'not-blocked';
  } catch (error) {
    return error instanceof RedisReplyError ? 'refused' : 'failed';
  } finally {
    void opened.end(0);
  }
}

/** A -UNBLOCKED error reply: the server ended the wait without serving it (nothing was taken). */
export function isUnblockedReply(error: unknown): boolean {
  return error instanceof RedisReplyError && error.prefix === 'UNBLOCKED';
}
