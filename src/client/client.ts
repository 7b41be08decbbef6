import type { Observable } from 'rxjs';
import { resolveClientOptions, type MaintClientOptions, type ResolvedClientOptions } from '../config.js';
import { ConnectionError, UsageError } from '../errors.js';
import type { EventInit, LifecycleEvent } from '../events.js';
import { LifecycleStreams } from '../lifecycle-streams.js';
import { createLogger, type Logger } from '../log.js';
import type { ResolvedEndpointType } from '../protocol/handshake.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import { systemClock, type Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import { endpointTypeFor, type LookupAll } from '../transport/endpoint-type.js';
import type { NotificationHook } from '../maintenance/hooks.js';
import { Pool } from '../pool/pool.js';
import { installCommandMethods, type CommandHelpers } from '../commands/methods.js';
import type { CommandMethods } from '../commands/generated/methods.js';
import { PubSub, singleSession } from '../pubsub/pubsub.js';
import { pubsubRefusal, pubsubSession } from '../pubsub/session-options.js';
import { installPubSubMethods, type PubSubMethods } from '../pubsub/methods.js';
import { blockTimeMs, vetCommand } from '../commands/command-kinds.js';
import { transactionBatch, validateTuples, type CommandTuple } from '../transactions/batch.js';
import { execOutcome } from '../transactions/exec-outcome.js';
import { watch, type Transaction, type WatchOptions } from '../transactions/watch.js';
import { CachedReads } from '../cache/cached-reads.js';
import type { CacheStats } from '../cache/client-cache.js';
import { snapshotState, type ClientState, type NotificationRecord } from './state.js';
import { reauthenticate } from '../credentials/reauthenticate.js';
import { LatestCredentials } from '../credentials/latest.js';
import { isReadOnlyCommand } from '../commands/read-only.js';
import { RetriableRead, type ReadResender } from '../transport/retriable-read.js';

export type { CommandTuple };

/** Test and tooling seams that are not user options. */
export interface ClientInternals {
  clock?: Clock;
  /** How a host name is resolved for `endpointType: 'auto'` (default: the system's resolver). */
  lookup?: LookupAll;
}

/** The client: every typed command method (CommandMethods, generated from the server's COMMAND DOCS) and the lifecycle below. */
export interface MaintClient extends CommandMethods, CommandHelpers, PubSubMethods {
  /** Resolves when the pool can serve commands; rejects (and closes the client) when no connection could be opened. */
  connect(): Promise<void>;
  /** Sends any command; the reply decoded to JS values (see RespValue). Redis errors reject with RedisReplyError. */
  call(command: string, ...args: RespArgument[]): Promise<RespValue>;
  /** Like `call`, with bulk strings in the reply as Buffers (binary-safe values). */
  callBuffer(command: string, ...args: RespArgument[]): Promise<RespValue>;
  /** MULTI … EXEC on one connection, written back to back. Resolves to EXEC's replies; rejects with TransactionError when any failed. */
  multi(commands: CommandTuple[]): Promise<RespValue[]>;
  /**
   * WATCH `keys` on a leased connection, run `body` there (tx.call / tx.get / tx.multi), UNWATCH if
   * it ends without EXEC. Fails with TransactionError ERR_TRANSACTION_ABORTED when a watched key
   * changed, ERR_WATCH_INTERRUPTED when the connection was handed off or lost before EXEC (nothing
   * executed); `retries` runs `body` again on either.
   */
  watch<T>(keys: readonly RespArgument[], body: (tx: Transaction) => Promise<T>, options?: WatchOptions): Promise<T>;
  /** PUBLISH through the pool; resolves to the number of receivers on that server. */
  publish(channel: RespArgument, message: RespArgument): Promise<number>;
  /** SPUBLISH through the pool; resolves to the number of receivers on that server. */
  spublish(shardChannel: RespArgument, message: RespArgument): Promise<number>;
  readonly events$: Observable<LifecycleEvent>;
  readonly notifications$: Observable<NotificationRecord>;
  readonly state$: Observable<ClientState>;
  /** Adds a hook that sees (and may change or veto) every maintenance notification; returns a remover. */
  addNotificationHook(hook: NotificationHook): () => void;
  /** The current state snapshot (what `state$` last emitted, with fresh in-flight counts). */
  state(): ClientState;
  /** Client-side cache counters (all 0 without the clientSideCache option). */
  cacheStats(): CacheStats;
  /**
   * AUTHs again on every live socket (pooled, lent to a blocking command or a WATCH, subscriber)
   * with the credentials provider's current answer, without dropping any; resolves with how many
   * accepted. A socket blocked in BLPOP & co. gets its AUTH queued behind the blocking reply (run
   * by the server right after it; not awaited, not counted; a refusal is logged). Rejects with
   * ERR_AUTH when the provider fails or the server refuses.
   */
  reauthenticate(): Promise<number>;
  /** Drains in-flight replies, closes every socket and completes every stream. Idempotent. */
  close(): Promise<void>;
}

/** Creates a client (validating its options); call `connect()` before sending commands. */
export function createMaintClient(options: MaintClientOptions = {}, internals: ClientInternals = {}): MaintClient {
  return new Client(resolveClientOptions(options), internals);
}

type Status = ClientState['status'];
type ClientStreams = LifecycleStreams<LifecycleEvent, EventInit, NotificationRecord, ClientState>;

// The typed command methods are defined on the prototype once (see installCommandMethods below).
interface Client extends CommandMethods, CommandHelpers, PubSubMethods {}

class Client implements MaintClient {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly pool: Pool;
  private readonly cache: CachedReads | null;
  /** Created with the first subscription (see `pubsub`). */
  private pubsubRoom: PubSub | null = null;
  /** Created with the first look at a stream (see `streams`); `streamsEnded` once close() completed them. */
  private streamsRoom: ClientStreams | null = null;
  private streamsEnded = false;
  private readonly endpointType: Promise<ResolvedEndpointType>;
  /** `credentials` given as an Observable: its latest value, and re-AUTH on each later one. */
  private readonly latestCredentials: LatestCredentials | null;
  /** Where `retryReads` sends a read again; null when the option is off. */
  private readonly resender: ReadResender | null;
  private status: Status = 'new';
  private connecting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  private readonly options: ResolvedClientOptions;

  constructor(resolved: ResolvedClientOptions, internals: ClientInternals) {
    this.clock = internals.clock ?? systemClock;
    this.logger = createLogger(resolved.maint.logLevel, resolved.logger as Partial<Logger> | undefined);
    const latest = resolved.credentials$ === undefined ? null : new LatestCredentials(resolved.credentials$, () => this.credentialsChanged());
    this.latestCredentials = latest;
    const options: ResolvedClientOptions = latest === null ? resolved : { ...resolved, credentials: latest.provider };
    this.options = options;
    this.endpointType = endpointTypeFor(options, internals.lookup);
    const cache = options.clientSideCache === undefined ? null : new CachedReads(options.clientSideCache, this.clock, options.commandTimeout);
    this.cache = cache;
    this.pool = new Pool({
      options,
      clock: this.clock,
      logger: this.logger,
      emit: (event) => this.emit(event),
      onNotification: (connection, notification) => {
        this.streamsRoom?.notify(() => ({ connectionId: connection.id, endpoint: connection.endpointText, notification, at: Date.now() }));
      },
      onChange: () => this.streamsRoom?.publishState(),
      ...(cache === null ? {} : { onInvalidate: (keys: RespValue) => cache.invalidate(keys), onTrackingEnded: () => cache.flush() }),
    });
    // The pool is where a retried read goes again (it has the clock and the per-command path).
    this.resender = options.retryReads ? this.pool : null;
  }

  get events$(): Observable<LifecycleEvent> {
    return this.streams.events$;
  }

  get notifications$(): Observable<NotificationRecord> {
    return this.streams.notifications$;
  }

  get state$(): Observable<ClientState> {
    return this.streams.state$;
  }

  connect(): Promise<void> {
    if (this.status === 'closed') return Promise.reject(new ConnectionError('ERR_CLIENT_CLOSED', 'The client is closed; create a new one'));
    this.connecting ??= this.start();
    return this.connecting;
  }

  call(command: string, ...args: RespArgument[]): Promise<RespValue> {
    return this.send(command, args, false);
  }

  callBuffer(command: string, ...args: RespArgument[]): Promise<RespValue> {
    return this.send(command, args, true);
  }

  private send(command: string, args: RespArgument[], binary: boolean): Promise<RespValue> {
    if (this.status !== 'ready') return Promise.reject(this.notReadyError(command));
    const name = vetCommand(command, args);
    if (typeof name !== 'string') return Promise.reject(name);
    if (this.cache !== null && !binary) {
      const read = this.cache.read(name, command, args, (pending) => this.pool.send(pending));
      if (read !== undefined) return read;
    }
    const blockMs = blockTimeMs(name, args);
    if (blockMs !== undefined) return this.pool.callBlocking([command, ...args], blockMs, binary);
    return new Promise((resolve, reject) => {
      const pending =
        this.resender !== null && isReadOnlyCommand(name, args)
          ? new RetriableRead(name, [command, ...args], this.clock.now(), this.options.commandTimeout, resolve, reject, this.resender)
          : new PendingCommand(name, encodeCommand([command, ...args]), this.clock.now(), this.options.commandTimeout, 0, resolve, reject);
      pending.binary = binary;
      this.pool.send(pending);
    });
  }

  async multi(commands: CommandTuple[]): Promise<RespValue[]> {
    if (this.status !== 'ready') throw this.notReadyError('MULTI');
    validateTuples(commands, 'multi()');
    const { pending, settled } = transactionBatch(commands, this.clock.now(), this.options.commandTimeout);
    this.pool.sendTogether(pending);
    return execOutcome(await Promise.all(settled));
  }

  async watch<T>(keys: readonly RespArgument[], body: (tx: Transaction) => Promise<T>, options?: WatchOptions): Promise<T> {
    if (this.status !== 'ready') throw this.notReadyError('WATCH');
    return watch({ clock: this.clock, commandTimeout: this.options.commandTimeout, lease: (ms) => this.pool.lease(ms), release: (c) => this.pool.release(c) }, keys, body, options);
  }

  publish(channel: RespArgument, message: RespArgument): Promise<number> {
    return this.call('PUBLISH', channel, message) as Promise<number>;
  }

  spublish(shardChannel: RespArgument, message: RespArgument): Promise<number> {
    return this.call('SPUBLISH', shardChannel, message) as Promise<number>;
  }

  state(): ClientState {
    return snapshotState(this.status, this.pool);
  }

  cacheStats(): CacheStats {
    return this.cache?.stats() ?? { hits: 0, misses: 0, invalidations: 0, evictions: 0, size: 0, flushes: 0 };
  }

  async reauthenticate(): Promise<number> {
    if (this.status !== 'ready') throw this.notReadyError('AUTH');
    return reauthenticate([...this.pool.livePipelines(), ...(this.pubsubRoom?.livePipelines() ?? [])], {
      source: this.options,
      clock: this.clock,
      timeoutMs: this.options.commandTimeout,
      onLateRefusal: (message) => this.logger.error(message),
    });
  }

  private credentialsChanged(): void {
    if (this.status !== 'ready') return;
    this.reauthenticate().catch((error: unknown) => this.logger.error(`re-authentication with the new credentials failed: ${(error as Error).message}`));
  }

  addNotificationHook(hook: NotificationHook): () => void {
    if (typeof hook !== 'object' || hook === null) throw new UsageError('ERR_INVALID_ARGUMENT', 'addNotificationHook() takes an object with preHook/postHook/onHandoff');
    return this.pool.addNotificationHook(hook);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // --- internals ---

  private async start(): Promise<void> {
    this.status = 'connecting';
    this.streamsRoom?.publishState();
    try {
      // The first dials start while the endpoint type is still being resolved (a DNS lookup for a host name).
      await this.pool.start(this.endpointType);
      if (this.status === 'connecting') this.status = 'ready';
      this.streamsRoom?.publishState();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async shutdown(): Promise<void> {
    this.status = 'closed';
    this.latestCredentials?.close();
    await this.pubsubRoom?.close();
    await this.pool.close();
    this.streamsEnded = true;
    this.streamsRoom?.complete();
  }

  /** Where the installed PubSubMethods go: one surface for every kind. */
  pubsubFor(): PubSub {
    return this.pubsub;
  }

  /** The pub/sub surface, made with the first subscription; one made after close() is closed at once. */
  private get pubsub(): PubSub {
    if (this.pubsubRoom !== null) return this.pubsubRoom;
    const options = this.options;
    const pubsub = new PubSub({
      unavailable: (method) => (this.status === 'ready' ? pubsubRefusal(options, method) : this.notReadyError(method)),
      session: () => singleSession(pubsubSession(this.pool, options, this.clock, this.logger, (event) => this.emit(event))),
    });
    if (this.status === 'closed') void pubsub.close();
    return (this.pubsubRoom = pubsub);
  }

  /** The streams, made with the first look at one; made after close() completed them, they are complete at once. */
  private get streams(): ClientStreams {
    if (this.streamsRoom !== null) return this.streamsRoom;
    const streams: ClientStreams = new LifecycleStreams(() => this.state());
    if (this.streamsEnded) streams.complete();
    return (this.streamsRoom = streams);
  }

  private emit(event: EventInit): void {
    this.streamsRoom?.emit(event);
  }

  private notReadyError(command: string): ConnectionError {
    if (this.status === 'closed') return new ConnectionError('ERR_CLIENT_CLOSED', `The client is closed; ${command} was not sent`);
    return new ConnectionError('ERR_NOT_CONNECTED', `${command} was not sent: call and await client.connect() first`);
  }
}

installPubSubMethods(Client.prototype);
installCommandMethods(Client.prototype);
