import type { Logger } from '../log.js';
import type { RespValue } from '../protocol/types.js';
import { SUBSCRIPTION_KINDS, type PubSubListener, type PubSubMessage, type SubscriptionKind } from './types.js';

export interface ListenerEntry {
  listener: PubSubListener<string> | PubSubListener<Buffer>;
  buffers: boolean;
}

/**
 * Who listens to what: channel, pattern and shard-channel names → listeners. The names with at
 * least one listener are what the server must have subscribed. Delivery is synchronous, in the
 * order messages are handed in, and stops for a listener the moment it is removed.
 */
export class ListenerRegistry {
  private readonly byKind: Record<SubscriptionKind, Map<string, Set<ListenerEntry>>> = { channel: new Map(), pattern: new Map(), shard: new Map() };
  /** Bumped whenever a name gains its first or loses its last listener. */
  version = 0;
  /** Listener registrations that take Buffers (pushes are decoded as Buffers only while > 0). */
  bufferListeners = 0;

  constructor(private readonly logger: Logger) {}

  add(kind: SubscriptionKind, names: readonly string[], entry: ListenerEntry): void {
    const map = this.byKind[kind];
    for (const name of names) {
      let set = map.get(name);
      if (set === undefined) {
        map.set(name, (set = new Set()));
        this.version++;
      }
      if (set.has(entry)) continue;
      set.add(entry);
      if (entry.buffers) this.bufferListeners++;
    }
  }

  remove(kind: SubscriptionKind, names: readonly string[], entry: ListenerEntry): void {
    const map = this.byKind[kind];
    for (const name of names) {
      const set = map.get(name);
      if (set === undefined || !set.delete(entry)) continue;
      if (entry.buffers) this.bufferListeners--;
      if (set.size === 0) {
        map.delete(name);
        this.version++;
      }
    }
  }

  /** Drops every listener of these names (the server refused to subscribe them). */
  drop(kind: SubscriptionKind, names: readonly string[]): void {
    for (const name of names) {
      const set = this.byKind[kind].get(name);
      if (set === undefined) continue;
      for (const entry of set) if (entry.buffers) this.bufferListeners--;
      this.byKind[kind].delete(name);
      this.version++;
    }
  }

  has(kind: SubscriptionKind, name: string): boolean {
    return this.byKind[kind].has(name);
  }

  names(kind: SubscriptionKind): string[] {
    return [...this.byKind[kind].keys()];
  }

  get empty(): boolean {
    return SUBSCRIPTION_KINDS.every((kind) => this.byKind[kind].size === 0);
  }

  counts(): { channels: number; patterns: number; shardChannels: number } {
    return { channels: this.byKind.channel.size, patterns: this.byKind.pattern.size, shardChannels: this.byKind.shard.size };
  }

  /** A `message`/`pmessage`/`smessage` push (bulk strings as Buffers) to the listeners of its name. */
  deliver(type: 'message' | 'pmessage' | 'smessage', frame: readonly RespValue[]): void {
    const pattern = type === 'pmessage' ? text(frame[1]) : undefined;
    const channel = text(frame[type === 'pmessage' ? 2 : 1]);
    const payload = frame[type === 'pmessage' ? 3 : 2];
    const kind: SubscriptionKind = type === 'message' ? 'channel' : type === 'pmessage' ? 'pattern' : 'shard';
    const set = this.byKind[kind].get(pattern ?? channel);
    if (set === undefined) return;
    let asText: PubSubMessage<string> | undefined;
    let asBuffer: PubSubMessage<Buffer> | undefined;
    for (const entry of set) {
      try {
        if (entry.buffers) {
          asBuffer ??= message(type, channel, pattern, Buffer.isBuffer(payload) ? payload : Buffer.from(text(payload)));
          (entry.listener as PubSubListener<Buffer>)(asBuffer);
        } else {
          asText ??= message(type, channel, pattern, text(payload));
          (entry.listener as PubSubListener<string>)(asText);
        }
      } catch (error) {
        // A listener's bug must not break the socket the message came on.
        this.logger.error(`a pub/sub listener for ${pattern ?? channel} threw; the message is still delivered to the others`, error);
      }
    }
  }
}

function message<Payload>(kind: PubSubMessage['kind'], channel: string, pattern: string | undefined, payload: Payload): PubSubMessage<Payload> {
  return pattern === undefined ? { kind, channel, message: payload } : { kind, channel, pattern, message: payload };
}

export function text(value: RespValue | undefined): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return value === null || value === undefined ? '' : String(value);
}
