import type { RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';

/** What the client-side cache has done so far (`cacheStats()`). */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Keys named by the server's invalidation pushes (a null push, FLUSHALL/FLUSHDB, counts as a flush). */
  invalidations: number;
  /** Entries dropped to stay within maxEntries, or because they outlived ttlMs. */
  evictions: number;
  size: number;
  /** Whole-cache flushes: a socket that tracked reads was swapped, lost or closed, or the server flushed. */
  flushes: number;
}

interface Entry {
  key: string;
  value: RespValue;
  expiresAt: number;
}

/**
 * The client-side cache: replies by lookup id, in LRU order (a Map's insertion order, refreshed
 * on every hit), bounded by `maxEntries` and `ttlMs`. A generation number, bumped by every
 * flush, stamps each miss: a reply that was in flight across a flush does not refill the cache.
 */
export class ClientCache {
  private readonly entries = new Map<string, Entry>();
  /** Redis key → lookup ids of its entries (several commands may read one key). */
  private readonly byKey = new Map<string, Set<string>>();
  private generation = 0;
  private readonly counts = { hits: 0, misses: 0, invalidations: 0, evictions: 0, flushes: 0 };

  constructor(private readonly clock: Clock, private readonly maxEntries: number, private readonly ttlMs: number) {}

  /** The cached reply, or undefined (a miss: fetch it, then `fill` with the generation `generation()` returned before). */
  lookup(id: string): RespValue | undefined {
    const entry = this.entries.get(id);
    if (entry !== undefined) {
      if (entry.expiresAt > this.clock.now()) {
        this.entries.delete(id);
        this.entries.set(id, entry);
        this.counts.hits++;
        return entry.value;
      }
      this.remove(id, entry.key);
      this.counts.evictions++;
    }
    this.counts.misses++;
    return undefined;
  }

  currentGeneration(): number {
    return this.generation;
  }

  /** Keeps a reply fetched at `generation`, unless a flush happened since it was asked for. */
  fill(id: string, key: string, value: RespValue, generation: number): void {
    if (generation !== this.generation) return;
    const existing = this.entries.get(id);
    if (existing !== undefined) this.entries.delete(id);
    this.entries.set(id, { key, value, expiresAt: this.ttlMs === 0 ? Infinity : this.clock.now() + this.ttlMs });
    let ids = this.byKey.get(key);
    if (ids === undefined) this.byKey.set(key, (ids = new Set()));
    ids.add(id);
    while (this.entries.size > this.maxEntries) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Entry];
      this.remove(oldestId, oldest.key);
      this.counts.evictions++;
    }
  }

  /** An `invalidate` push: its keys changed (null: the server flushed everything). */
  invalidate(keys: RespValue): void {
    if (keys === null || keys === undefined) {
      this.flush();
      return;
    }
    if (!Array.isArray(keys)) return;
    for (const raw of keys) {
      const key = Buffer.isBuffer(raw) ? raw.toString() : String(raw);
      this.counts.invalidations++;
      const ids = this.byKey.get(key);
      if (ids === undefined) continue;
      this.byKey.delete(key);
      for (const id of ids) this.entries.delete(id);
    }
    // Replies in flight for these keys were read before the write (same-socket order), and the
    // server will invalidate them again: nothing else to do.
  }

  /** Drops everything and bumps the generation (a socket's tracking ended: its invalidations will not come). */
  flush(): void {
    this.generation++;
    this.counts.flushes++;
    this.entries.clear();
    this.byKey.clear();
  }

  stats(): CacheStats {
    return { ...this.counts, size: this.entries.size };
  }

  private remove(id: string, key: string): void {
    this.entries.delete(id);
    const ids = this.byKey.get(key);
    ids?.delete(id);
    if (ids?.size === 0) this.byKey.delete(key);
  }
}
