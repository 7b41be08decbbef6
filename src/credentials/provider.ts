/**
 * Credentials asked for every new socket (SPEC §12): a static user/password, or a provider
 * function whose answer may change over time (rotated passwords, short-lived tokens). A provider
 * that throws, rejects, hangs or answers nonsense fails that one attempt with ERR_AUTH; nothing of
 * its answer is ever put in a message.
 */
import { ConnectionError } from '../errors.js';

/** What a provider returns: the password (or token) and, for an ACL user, its name. */
export interface Credentials {
  username?: string;
  password: string;
}

/** Called for every new socket (first connect, reconnects, handoffs, dedicated connections) and by `reauthenticate()`. */
export type CredentialsProvider = () => Credentials | Promise<Credentials>;

/** What the handshake needs: both undefined when there is nothing to authenticate with. */
export interface ResolvedCredentials {
  username: string | undefined;
  password: string | undefined;
}

export interface CredentialSource {
  readonly username?: string;
  readonly password?: string;
  readonly credentials?: CredentialsProvider;
}

/**
 * The credentials for one new socket: the provider's current answer when there is one (bounded
 * by `timeoutMs` and `signal`), else the static options.
 */
export async function currentCredentials(source: CredentialSource, timeoutMs: number, signal?: AbortSignal): Promise<ResolvedCredentials> {
  const provider = source.credentials;
  if (provider === undefined) return { username: source.username, password: source.password };
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const bounded = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(authError(`the credentials provider did not answer within ${timeoutMs} ms`)), timeoutMs);
      onAbort = () => reject(authError('asking the credentials provider was aborted'));
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    const answer = await Promise.race([Promise.resolve().then(provider), bounded]);
    return checked(answer);
  } catch (error) {
    if (error instanceof ConnectionError && error.code === 'ERR_AUTH') throw error;
    // The provider's own error stays reachable as the cause; its message is the user's own text.
    throw authError(`the credentials provider failed: ${error instanceof Error ? error.name : typeof error}`, error);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

function checked(answer: unknown): ResolvedCredentials {
  const rule = 'it must return { username?: non-empty string, password: non-empty string }';
  if (typeof answer !== 'object' || answer === null) throw authError(`the credentials provider returned ${answer === null ? 'null' : typeof answer}; ${rule}`);
  const { username, password } = answer as { username?: unknown; password?: unknown };
  if (typeof password !== 'string' || password === '') throw authError(`the credentials provider returned no usable password; ${rule}`);
  if (username !== undefined && (typeof username !== 'string' || username === '')) throw authError(`the credentials provider returned an unusable username; ${rule}`);
  return { username, password };
}

function authError(message: string, cause?: unknown): ConnectionError {
  return new ConnectionError('ERR_AUTH', `Authentication not attempted: ${message}`, { retryable: true, ...(cause === undefined ? {} : { cause }) });
}
