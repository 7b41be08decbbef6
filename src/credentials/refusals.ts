/**
 * Credentials the server refused, remembered client-wide: no socket dials again with the same
 * ones until a backoff has passed (growing with each refusal, as reconnects do: 50, 100, 200 …
 * 2000 ms), so a wrong password or a revoked user costs the server at most one attempt per
 * window, whatever asks for sockets (pooled reconnects, dedicated connections a caller leases
 * in a loop, subscriber sessions, handoffs). Other credentials (the provider's answer after a
 * rotation) are tried at once; any accepted handshake forgets the refusal.
 */
import { ConnectionError } from '../errors.js';
import { reconnectDelay } from '../machines/reconnect-backoff.js';
import type { Clock } from '../transport/clock.js';
import type { ResolvedCredentials } from './provider.js';

export class RefusedCredentials {
  private refused: ResolvedCredentials | null = null;
  private refusals = 0;
  private refusedAt = 0;

  constructor(private readonly clock: Clock) {}

  /** Throws ERR_AUTH (nothing dialled) while `credentials` are the ones refused within the backoff. */
  check(credentials: ResolvedCredentials): void {
    const refused = this.refused;
    if (refused === null || refused.username !== credentials.username || refused.password !== credentials.password) return;
    const since = this.clock.now() - this.refusedAt;
    const wait = reconnectDelay(this.refusals) - since;
    if (wait <= 0) return;
    throw new ConnectionError('ERR_AUTH', `Authentication not attempted: the server refused these credentials ${Math.round(since)} ms ago; the next attempt waits ${Math.ceil(wait)} ms`, { retryable: true });
  }

  /**
   * The server refused `credentials` (an ERR_AUTH from the handshake) on an attempt begun at
   * `startedAt`. Attempts that were under way together (a pool's first sockets) count once.
   */
  refusedWith(credentials: ResolvedCredentials, startedAt: number): void {
    const same = this.refused !== null && this.refused.username === credentials.username && this.refused.password === credentials.password;
    if (same && startedAt <= this.refusedAt) return;
    this.refusals = same ? this.refusals + 1 : 1;
    this.refused = credentials;
    this.refusedAt = this.clock.now();
  }

  /** A handshake succeeded: whatever was refused before is not held against anyone. */
  accepted(): void {
    this.refused = null;
    this.refusals = 0;
  }
}
