import type { ResolvedCacheConfig } from '../config.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import { cacheSlot } from './cacheable.js';
import { ClientCache, type CacheStats } from './client-cache.js';

/**
 * Read-through in front of the pool: a cached reply is answered at once; a miss is sent as usual
 * and its reply kept — stamped with the generation at send time, so that a reply from a socket
 * whose tracking ended meanwhile is not kept.
 */
export class CachedReads {
  private readonly cache: ClientCache;

  constructor(config: ResolvedCacheConfig, private readonly clock: Clock, private readonly commandTimeout: number) {
    this.cache = new ClientCache(clock, config.maxEntries, config.ttlMs);
  }

  /** The reply for a cacheable call (from the cache, or fetched through `send`), or undefined when the call is not cacheable. */
  read(name: string, command: string, args: RespArgument[], send: (command: PendingCommand) => void): Promise<RespValue> | undefined {
    const slot = cacheSlot(name, args);
    if (slot === undefined) return undefined;
    const cached = this.cache.lookup(slot.id);
    if (cached !== undefined) return Promise.resolve(cached);
    const generation = this.cache.currentGeneration();
    return new Promise((resolve, reject) => {
      const keep = (value: RespValue) => {
        this.cache.fill(slot.id, slot.key, value, generation);
        resolve(value);
      };
      send(new PendingCommand(name, encodeCommand([command, ...args]), this.clock.now(), this.commandTimeout, 0, keep, reject));
    });
  }

  invalidate(keys: RespValue): void {
    this.cache.invalidate(keys);
  }

  flush(): void {
    this.cache.flush();
  }

  stats(): CacheStats {
    return this.cache.stats();
  }
}
