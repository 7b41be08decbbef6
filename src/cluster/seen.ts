/**
 * Keys acted on recently, with bounded memory: at most `capacity` entries, each forgotten after
 * `ttlMs`. The server repeats a cluster notification on every connection to every node (and
 * replays SMIGRATING to connections opened mid-window); each `(type, seq)` is acted on once.
 */
import type { Clock } from '../transport/clock.js';

export class RecentlySeen {
  private readonly entries = new Map<string, number>();

  constructor(private readonly clock: Clock, private readonly ttlMs = 120_000, private readonly capacity = 1024) {}

  /** True the first time `key` is seen within the TTL; records it. */
  firstTime(key: string): boolean {
    const now = this.clock.now();
    const at = this.entries.get(key);
    if (at !== undefined && now - at < this.ttlMs) return false;
    this.entries.delete(key);
    this.entries.set(key, now);
    // Oldest first (insertion order): drop the expired and anything over capacity.
    for (const [oldest, when] of this.entries) {
      if (this.entries.size <= this.capacity && now - when < this.ttlMs) break;
      this.entries.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.entries.size;
  }
}
