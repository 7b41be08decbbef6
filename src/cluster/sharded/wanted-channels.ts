import type { ListenerRegistry } from '../../pubsub/registry.js';
import { keySlot } from '../slot.js';

/**
 * The shard channels that have listeners, by slot: what each slot's owner must carry. Kept in
 * step with the listener registry at every change the subscription surface reports.
 */
export class WantedChannels {
  private readonly bySlot = new Map<number, Set<string>>();

  constructor(private readonly registry: ListenerRegistry) {}

  /** The slot's channels that have listeners (a copy). */
  of(slot: number): Set<string> {
    return new Set(this.bySlot.get(slot));
  }

  /** Brings the index in line with the registry for `names`. */
  track(names: readonly string[]): void {
    for (const name of names) {
      const slot = keySlot(name);
      let set = this.bySlot.get(slot);
      if (this.registry.has('shard', name)) {
        if (set === undefined) this.bySlot.set(slot, (set = new Set()));
        set.add(name);
      } else if (set?.delete(name) === true && set.size === 0) {
        this.bySlot.delete(slot);
      }
    }
  }

  clear(): void {
    this.bySlot.clear();
  }
}
