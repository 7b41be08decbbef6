import type { SubscriberLeg } from './leg.js';
import type { ListenerRegistry } from './registry.js';
import type { SubscriptionKind } from './types.js';

interface Waiter {
  kind: SubscriptionKind;
  names: readonly string[];
  resolve(): void;
  reject(error: Error): void;
}

/** Callers of subscribe()/unsubscribe() waiting until the server's subscriptions match the listeners for their names. */
export class Waiters {
  private pending: Waiter[] = [];

  constructor(private readonly registry: ListenerRegistry) {}

  wait(kind: SubscriptionKind, names: readonly string[], current: SubscriberLeg | null): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = { kind, names, resolve, reject };
      if (current !== null && current.mode === 'deliver' && this.satisfied(waiter, current)) resolve();
      else this.pending.push(waiter);
    });
  }

  /** Resolves the waiters whose names `leg` (now the current socket) has as wanted. */
  check(leg: SubscriberLeg): void {
    this.pending = this.pending.filter((waiter) => {
      if (!this.satisfied(waiter, leg)) return true;
      waiter.resolve();
      return false;
    });
  }

  /** The server refused these names. */
  fail(kind: SubscriptionKind, names: readonly string[], error: Error): void {
    this.pending = this.pending.filter((waiter) => {
      if (waiter.kind !== kind || !waiter.names.some((name) => names.includes(name))) return true;
      waiter.reject(error);
      return false;
    });
  }

  /** No socket could be opened: whoever still waits is told (names confirmed earlier stay and are resubscribed later). */
  failUnconfirmed(error: Error): void {
    this.failAll(error);
  }

  failAll(error: Error): void {
    const pending = this.pending;
    this.pending = [];
    for (const waiter of pending) waiter.reject(error);
  }

  private satisfied(waiter: Waiter, leg: SubscriberLeg): boolean {
    const confirmed = leg.confirmed[waiter.kind];
    return waiter.names.every((name) => this.registry.has(waiter.kind, name) === confirmed.has(name));
  }
}
