/**
 * Full topology refreshes, coalesced and rate-limited: at most one in flight, and none sooner
 * than `cooldownMs` after the previous one ended. Requests that arrive meanwhile (a MOVED burst,
 * SMIGRATED on every connection, a node's reconnect attempts) fold into one refresh after the
 * cool-down. A slow periodic check runs besides (off with intervalMs 0).
 */
import type { Clock } from '../transport/clock.js';

export interface RefresherOptions {
  clock: Clock;
  cooldownMs: number;
  intervalMs: number;
  /** Fetches and applies the topology; rejections are the caller's to report. */
  refresh(reason: string): Promise<void>;
}

export class TopologyRefresher {
  private running: Promise<void> | null = null;
  private timer: unknown = null;
  private periodic: unknown = null;
  private pending: string | null = null;
  private lastEnded = -Infinity;
  private stopped = false;
  /** Refreshes started so far (for tests and state). */
  count = 0;

  constructor(private readonly options: RefresherOptions) {}

  /** Starts the periodic check. */
  start(): void {
    this.schedulePeriodic();
  }

  /** Asks for a refresh; it runs now, or once the running one and the cool-down are over. */
  request(reason: string): void {
    if (this.stopped) return;
    if (this.running !== null || this.timer !== null) {
      this.pending ??= reason;
      return;
    }
    const wait = this.lastEnded + this.options.cooldownMs - this.options.clock.now();
    if (wait > 0) {
      this.pending ??= reason;
      this.timer = this.options.clock.setTimeout(() => this.fire(), wait);
      return;
    }
    void this.run(reason);
  }

  /** A refresh now, ignoring the cool-down (connect); shares a running one. */
  now(reason: string): Promise<void> {
    return this.running ?? this.run(reason);
  }

  stop(): void {
    this.stopped = true;
    this.pending = null;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    if (this.periodic !== null) this.options.clock.clearTimeout(this.periodic);
    this.timer = this.periodic = null;
  }

  private fire(): void {
    this.timer = null;
    const reason = this.pending;
    this.pending = null;
    if (reason !== null) this.request(reason);
  }

  private run(reason: string): Promise<void> {
    this.count++;
    const running = this.options.refresh(reason).finally(() => {
      this.running = null;
      this.lastEnded = this.options.clock.now();
      const again = this.pending;
      this.pending = null;
      if (again !== null) this.request(again);
    });
    this.running = running;
    return running;
  }

  private schedulePeriodic(): void {
    if (this.stopped || this.options.intervalMs === 0) return;
    this.periodic = this.options.clock.setTimeout(() => {
      this.request('periodic');
      this.schedulePeriodic();
    }, this.options.intervalMs);
  }
}
