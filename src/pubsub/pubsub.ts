import type { Observable, Subscriber } from 'rxjs';
import { Observable as RxObservable } from '../rx.js';
import { UsageError } from '../errors.js';
import { FENCE_PREFIX } from './leg.js';
import type { Pipeline } from '../transport/pipeline.js';
import { PubSubSession, type SessionDependencies } from './session.js';
import type { ListenerEntry, ListenerRegistry } from './registry.js';
import type { PubSubListener, PubSubMessage, SubscribeOptions, SubscriptionKind } from './types.js';

/** What the pub/sub surface needs of a session: who listens, and a way to bring the server in line. */
export interface SubscriptionSession {
  readonly registry: ListenerRegistry;
  /** Resolves once the server agrees with the listeners for `names`. */
  changed(kind: SubscriptionKind, names: readonly string[]): Promise<void>;
  /** The sockets that take commands now (what `reauthenticate()` re-AUTHs). */
  livePipelines(): Pipeline[];
  close(): Promise<void>;
}

export interface PubSubDependencies {
  /** Null when subscriptions may be made now, else why not (client not connected, closed). */
  unavailable(method: string): Error | null;
  /** Creates the session, on first use. */
  session(): SubscriptionSession;
}

/** A session of one subscriber socket (a standalone client, a cluster's cluster-wide channels). */
export function singleSession(deps: SessionDependencies): SubscriptionSession {
  return new PubSubSession(deps);
}

const METHOD: Record<SubscriptionKind, string> = { channel: 'subscribe', pattern: 'psubscribe', shard: 'ssubscribe' };

/**
 * The client's pub/sub surface: listener and Observable APIs over one lazily created session (one
 * subscriber socket, or a cluster's per-node sharded sessions).
 * Every Observable subscriber is one listener: SUBSCRIBE goes out with a name's first listener,
 * UNSUBSCRIBE with its last.
 */
export class PubSub {
  private session: SubscriptionSession | null = null;
  private readonly streams = new Set<Subscriber<unknown>>();
  private closed = false;

  constructor(private readonly deps: PubSubDependencies) {}

  /** Resolves once the server confirmed the subscription; to an async remover. */
  async listen(kind: SubscriptionKind, names: unknown, listener: unknown, options: SubscribeOptions = {}): Promise<() => Promise<void>> {
    const method = METHOD[kind];
    const unavailable = this.deps.unavailable(method);
    if (unavailable !== null) throw unavailable;
    const list = validNames(method, names);
    if (typeof listener !== 'function') throw new UsageError('ERR_INVALID_ARGUMENT', `${method}(names, listener): listener must be a function`);
    const session = (this.session ??= this.deps.session());
    const entry: ListenerEntry = { listener: listener as PubSubListener<string>, buffers: options.buffers === true };
    session.registry.add(kind, list, entry);
    try {
      await session.changed(kind, list);
    } catch (error) {
      session.registry.remove(kind, list, entry);
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      session.registry.remove(kind, list, entry);
      if (!this.closed) await session.changed(kind, list).catch(() => undefined);
    };
  }

  observe<Payload extends string | Buffer>(kind: SubscriptionKind, names: unknown, buffers: boolean): Observable<PubSubMessage<Payload>> {
    return new RxObservable<PubSubMessage<Payload>>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      let remove: (() => Promise<void>) | null = null;
      let ended = false;
      this.streams.add(subscriber as Subscriber<unknown>);
      this.listen(kind, names, (message: PubSubMessage<Payload>) => subscriber.next(message), { buffers }).then(
        (remover) => {
          if (ended) void remover();
          else remove = remover;
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        ended = true;
        this.streams.delete(subscriber as Subscriber<unknown>);
        void remove?.();
      };
    });
  }

  /** The subscriber sockets open now (for `reauthenticate()`; RESP3, so AUTH is taken while subscribed). */
  livePipelines(): Pipeline[] {
    return this.session?.livePipelines() ?? [];
  }

  /** Completes every stream and closes the subscriber socket. */
  async close(): Promise<void> {
    this.closed = true;
    const streams = [...this.streams];
    this.streams.clear();
    for (const stream of streams) stream.complete();
    await this.session?.close();
  }
}

function validNames(method: string, names: unknown): string[] {
  const list = Array.isArray(names) ? names : [];
  if (list.length === 0) throw new UsageError('ERR_INVALID_ARGUMENT', `${method}() takes at least one name`);
  for (const name of list) {
    if (typeof name !== 'string' || name === '') throw new UsageError('ERR_INVALID_ARGUMENT', `${method}(): every name must be a non-empty string`);
    if (name.startsWith(FENCE_PREFIX)) throw new UsageError('ERR_INVALID_ARGUMENT', `${method}(): ${name} is a private channel of the client`);
  }
  return [...new Set(list as string[])];
}
