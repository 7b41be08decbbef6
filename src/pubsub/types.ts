/** What a subscriber receives. `pattern` is set on pattern messages only. */
export interface PubSubMessage<Payload = string> {
  kind: 'message' | 'pmessage' | 'smessage';
  channel: string;
  pattern?: string;
  message: Payload;
}

/** A function called with each message of a subscription. */
export type PubSubListener<Payload = string> = (message: PubSubMessage<Payload>) => void;

/** Options of `subscribe`, `psubscribe` and `ssubscribe`. */
export interface SubscribeOptions {
  /** Deliver `message` as a Buffer (binary-safe). */
  buffers?: boolean;
}

/** Channels (SUBSCRIBE), patterns (PSUBSCRIBE), shard channels (SSUBSCRIBE). */
export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

export const SUBSCRIPTION_KINDS: readonly SubscriptionKind[] = ['channel', 'pattern', 'shard'];

export const SUBSCRIBE_COMMAND: Record<SubscriptionKind, { subscribe: string; unsubscribe: string }> = {
  channel: { subscribe: 'SUBSCRIBE', unsubscribe: 'UNSUBSCRIBE' },
  pattern: { subscribe: 'PSUBSCRIBE', unsubscribe: 'PUNSUBSCRIBE' },
  shard: { subscribe: 'SSUBSCRIBE', unsubscribe: 'SUNSUBSCRIBE' },
};

/** The kind a confirmation push (`subscribe`, `punsubscribe`, …) is about, and whether it adds. */
export const CONFIRMATIONS: Record<string, { kind: SubscriptionKind; added: boolean }> = {
  subscribe: { kind: 'channel', added: true },
  unsubscribe: { kind: 'channel', added: false },
  psubscribe: { kind: 'pattern', added: true },
  punsubscribe: { kind: 'pattern', added: false },
  ssubscribe: { kind: 'shard', added: true },
  sunsubscribe: { kind: 'shard', added: false },
};
