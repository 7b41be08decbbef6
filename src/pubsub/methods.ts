import type { Observable } from 'rxjs';
import type { PubSub } from './pubsub.js';
import type { PubSubListener, PubSubMessage, SubscribeOptions, SubscriptionKind } from './types.js';

/** The subscription methods the client and the cluster share: Observables and listeners for channels, patterns and shard channels. */
export interface PubSubMethods {
  /** Messages on these channels (SUBSCRIBE with the first subscriber of a name, UNSUBSCRIBE with its last); carried through handoffs exactly once. */
  subscribe$(...channels: string[]): Observable<PubSubMessage>;
  /** Like `subscribe$`, with `message` as a Buffer. */
  subscribeBuffer$(...channels: string[]): Observable<PubSubMessage<Buffer>>;
  /** Messages on channels matching these patterns (PSUBSCRIBE), carried through handoffs like `subscribe$`. */
  psubscribe$(...patterns: string[]): Observable<PubSubMessage>;
  /** Messages on these shard channels (SSUBSCRIBE, Redis 7, kind `smessage`; one command per slot). */
  ssubscribe$(...shardChannels: string[]): Observable<PubSubMessage>;
  /** Resolves once the server confirmed; to a function that unsubscribes this listener. */
  subscribe(channels: string[], listener: PubSubListener<Buffer>, options: SubscribeOptions & { buffers: true }): Promise<() => Promise<void>>;
  /** Resolves once the server confirmed; to a function that unsubscribes this listener. */
  subscribe(channels: string[], listener: PubSubListener, options?: SubscribeOptions): Promise<() => Promise<void>>;
  /** Like `subscribe`, for patterns (PSUBSCRIBE); with `buffers: true` messages are Buffers. */
  psubscribe(patterns: string[], listener: PubSubListener<Buffer>, options: SubscribeOptions & { buffers: true }): Promise<() => Promise<void>>;
  /** Like `subscribe`, for patterns (PSUBSCRIBE). */
  psubscribe(patterns: string[], listener: PubSubListener, options?: SubscribeOptions): Promise<() => Promise<void>>;
  /** Like `subscribe`, for shard channels (SSUBSCRIBE; resolves once every slot's owner confirmed); with `buffers: true` messages are Buffers. */
  ssubscribe(shardChannels: string[], listener: PubSubListener<Buffer>, options: SubscribeOptions & { buffers: true }): Promise<() => Promise<void>>;
  /** Like `subscribe`, for shard channels (SSUBSCRIBE; resolves once every slot's owner confirmed). */
  ssubscribe(shardChannels: string[], listener: PubSubListener, options?: SubscribeOptions): Promise<() => Promise<void>>;
}

/** What the installed methods need of their object: the pub/sub surface that serves a kind of subscription. */
export interface PubSubHost {
  pubsubFor(kind: SubscriptionKind): PubSub;
}

type Installed = { [K in keyof PubSubMethods]: (this: PubSubHost, ...args: never[]) => unknown };

const METHODS: Installed = {
  subscribe$(...channels: string[]) {
    return this.pubsubFor('channel').observe('channel', channels, false);
  },
  subscribeBuffer$(...channels: string[]) {
    return this.pubsubFor('channel').observe('channel', channels, true);
  },
  psubscribe$(...patterns: string[]) {
    return this.pubsubFor('pattern').observe('pattern', patterns, false);
  },
  ssubscribe$(...shardChannels: string[]) {
    return this.pubsubFor('shard').observe('shard', shardChannels, false);
  },
  subscribe(channels: string[], listener: PubSubListener<never>, options?: SubscribeOptions) {
    return this.pubsubFor('channel').listen('channel', channels, listener, options);
  },
  psubscribe(patterns: string[], listener: PubSubListener<never>, options?: SubscribeOptions) {
    return this.pubsubFor('pattern').listen('pattern', patterns, listener, options);
  },
  ssubscribe(shardChannels: string[], listener: PubSubListener<never>, options?: SubscribeOptions) {
    return this.pubsubFor('shard').listen('shard', shardChannels, listener, options);
  },
};

/** Defines the PubSubMethods on `prototype` (a PubSubHost's), each a call onto `pubsubFor(kind)`; as installCommandMethods does for commands. */
export function installPubSubMethods(prototype: PubSubHost): void {
  for (const [name, value] of Object.entries(METHODS)) {
    Object.defineProperty(prototype, name, { value, writable: true, configurable: true, enumerable: false });
  }
}
