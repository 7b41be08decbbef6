import type { Observable } from 'rxjs';
import { Observable as RxObservable, Subject } from './rx.js';

/**
 * A client's or a cluster's `events$`, `notifications$` and `state$`. The client creates them on the
 * first look at any of them (a short-lived client that never looks pays for none); until then nothing
 * is emitted, as nobody could be listening. `Init` is an event without its `at`, stamped on emit.
 */
export class LifecycleStreams<Event, Init extends object, Record, State> {
  private readonly events = new Subject<Event>();
  private readonly notifications = new Subject<Record>();
  private readonly stateChanges = new Subject<State>();
  private statePending = false;
  readonly events$: Observable<Event> = this.events.asObservable();
  readonly notifications$: Observable<Record> = this.notifications.asObservable();
  /** Each subscriber starts with the current state; then one snapshot per tick with changes. */
  readonly state$: Observable<State>;

  constructor(private readonly current: () => State) {
    this.state$ = new RxObservable<State>((subscriber) => {
      subscriber.next(current());
      return this.stateChanges.subscribe(subscriber);
    });
  }

  emit(event: Init): void {
    if (this.events.observed) this.events.next({ ...event, at: Date.now() } as unknown as Event);
  }

  /** Builds the record only when someone listens. */
  notify(record: () => Record): void {
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
