import type { Clock } from '../transport/clock.js';
import type { SubscriberLeg } from './leg.js';

export type FenceOutcome = { exact: true } | { exact: false; reason: string };

/**
 * The exactly-once cut from an old subscriber socket to a new one. Both are subscribed to the
 * session's private fence channel; once the new one has confirmed every subscription, one marker
 * is published. The server orders every publish, so the old socket has every message up to the
 * marker and the new one every message after it: deliver the old socket's until its marker, drop
 * the new socket's until its marker, then deliver what the new one held after its marker.
 *
 * Fallback when the marker does not reach both within `boundMs` (or the old socket dies first):
 * the old socket is dropped and the new one delivers from its own marker on (or, when it never
 * saw the marker, from now on): no duplicate, but the messages the old socket had not yet
 * delivered are lost. The outcome says so.
 */
export class FenceCut {
  private oldSeen = false;
  private newSeen = false;
  private done: ((outcome: FenceOutcome) => void) | null = null;
  private timer: unknown = undefined;
  readonly settled: Promise<FenceOutcome>;

  constructor(
    private readonly old: SubscriberLeg,
    private readonly next: SubscriberLeg,
    readonly token: string,
    private readonly deliver: (leg: SubscriberLeg) => void,
    private readonly clock: Clock,
    boundMs: number,
  ) {
    this.settled = new Promise((resolve) => (this.done = resolve));
    this.timer = clock.setTimeout(() => this.fallBack(this.newSeen ? 'the marker did not come back on the old socket in time' : 'the marker did not come back on the new socket in time'), boundMs);
  }

  /** A marker arrived on `leg`. */
  marker(leg: SubscriberLeg, token: string): void {
    if (token !== this.token || this.done === null) return;
    if (leg === this.old && !this.oldSeen) {
      this.oldSeen = true;
      this.old.mode = 'drop';
    } else if (leg === this.next && !this.newSeen) {
      this.newSeen = true;
      // Everything before the marker was (or will be) delivered by the old socket.
      this.next.buffered = [];
      if (this.old.lost && !this.oldSeen) this.fallBack('the old socket closed before the marker reached it');
    }
    if (this.oldSeen && this.newSeen) this.finish({ exact: true });
  }

  /** The old socket closed: wait no longer than for the new one's marker. */
  oldLost(): void {
    if (this.done !== null && !this.oldSeen && this.newSeen) this.fallBack('the old socket closed before the marker reached it');
  }

  /** The marker could not be published: no exact cut is possible. */
  publishFailed(reason: string): void {
    this.fallBack(`the marker could not be published (${reason})`);
  }

  private fallBack(reason: string): void {
    if (this.done === null) return;
    if (!this.newSeen) this.next.buffered = []; // could overlap what the old socket delivered
    this.finish({ exact: false, reason });
  }

  private finish(outcome: FenceOutcome): void {
    const done = this.done;
    if (done === null) return;
    this.done = null;
    this.clock.clearTimeout(this.timer);
    this.old.mode = 'drop';
    this.old.buffered = [];
    this.deliver(this.next);
    done(outcome);
  }
}
