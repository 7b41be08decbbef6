import { Observable, Subject } from 'rxjs';
import type { EventInit, LifecycleEvent } from '../events.js';
import type { ClientState, NotificationRecord } from './state.js';

/**
 * The client's `events$`, `notifications$` and `state$`. The client creates them on the first look
 * at any of them (a short-lived client that never looks pays for none); until then nothing is
 * emitted, as nobody could be listening.
 */
export class ClientStreams {
  private readonly events = new Subject<LifecycleEvent>();
  private readonly notifications = new Subject<NotificationRecord>();
  private readonly stateChanges = new Subject<ClientState>();
  private statePending = false;
  readonly events$: Observable<LifecycleEvent> = this.events.asObservable();
  readonly notifications$: Observable<NotificationRecord> = this.notifications.asObservable();
  /** Each subscriber starts with the current state; then one snapshot per tick with changes. */
  readonly state$: Observable<ClientState>;

  constructor(private readonly current: () => ClientState) {
    this.state$ = new Observable<ClientState>((subscriber) => {
      subscriber.next(current());
      return this.stateChanges.subscribe(subscriber);
    });
  }

  emit(event: EventInit): void {
    if (this.events.observed) this.events.next({ ...event, at: Date.now() } as LifecycleEvent);
  }

  /** Builds the record only when someone listens. */
  notify(record: () => NotificationRecord): void {
    if (this.notifications.observed) this.notifications.next(record());
  }

  /** Coalesces state changes into one snapshot per tick, built only when someone watches. */
  publishState(): void {
    if (this.statePending || !this.stateChanges.observed) return;
    this.statePending = true;
    queueMicrotask(() => {
      this.statePending = false;
      if (!this.stateChanges.closed && this.stateChanges.observed) this.stateChanges.next(this.current());
    });
  }

  /** The last state to whoever watches, then every stream completes. */
  complete(): void {
    if (this.stateChanges.observed) this.stateChanges.next(this.current());
    this.events.complete();
    this.notifications.complete();
    this.stateChanges.complete();
  }
}
