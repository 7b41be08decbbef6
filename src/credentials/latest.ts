/**
 * Credentials given as an Observable (e.g. a token refresher): the latest value is what every new
 * socket uses, and each later value re-AUTHs the live sockets (`onChange`). A new socket opened
 * before the first value waits for it (bounded by the caller's timeout, see currentCredentials).
 */
import type { Subscribable, Unsubscribable } from 'rxjs';
import type { Credentials, CredentialsProvider } from './provider.js';

export class LatestCredentials {
  private latest: Credentials | undefined;
  private failure: unknown = undefined;
  private waiters: Array<{ resolve: (value: Credentials) => void; reject: (error: unknown) => void }> = [];
  private readonly subscription: Unsubscribable;

  constructor(source: Subscribable<Credentials>, onChange: () => void) {
    this.subscription = source.subscribe({
      next: (value) => {
        const first = this.latest === undefined;
        this.latest = value;
        this.failure = undefined;
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) waiter.resolve(value);
        if (!first) onChange();
      },
      // A failed source keeps failing new sockets (typed ERR_AUTH by the caller) until it is replaced.
      error: (error: unknown) => {
        this.failure = error ?? new Error('the credentials observable failed');
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) waiter.reject(this.failure);
      },
      complete: () => {},
    });
  }

  /** The provider new sockets ask: the latest value, or the first one once it comes. */
  readonly provider: CredentialsProvider = () => {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.latest !== undefined) return this.latest;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  };

  close(): void {
    this.subscription.unsubscribe();
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(new Error('the client was closed'));
  }
}
