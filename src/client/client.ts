import { Observable, Subject } from 'rxjs';
import { resolveClientOptions, type MaintClientOptions, type ResolvedClientOptions } from '../config.js';
import { ConnectionError, RedisReplyError, TransactionError, UsageError } from '../errors.js';
import type { EventInit, LifecycleEvent } from '../events.js';
import { createLogger, type Logger } from '../log.js';
import type { ResolvedEndpointType } from '../protocol/handshake.js';
import { encodeCommand, isRespArgument } from '../protocol/encoder.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import { systemClock, type Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import { resolveEndpointType } from '../transport/endpoint-type.js';
import type { NotificationHook } from '../maintenance/hooks.js';
import { Pool } from '../pool/pool.js';
import { PubSub } from '../pubsub/pubsub.js';
import { pubsubRefusal, pubsubSession } from '../pubsub/session-options.js';
import type { PubSubListener, PubSubMessage, SubscribeOptions } from '../pubsub/types.js';
import { blockTimeMs, refusalReason } from './command-kinds.js';
import { snapshotState, type ClientState, type NotificationRecord } from './state.js';

export type CommandTuple = [command: string, ...args: RespArgument[]];

/** Test and tooling seams that are not user options. */
export interface ClientInternals {
  clock?: Clock;
}

export interface MaintClient {
  /** Resolves when the pool can serve commands; rejects (and closes the client) when no connection could be opened. */
  connect(): Promise<void>;
  /** Sends any command; the reply decoded to JS values (see RespValue). Redis errors reject with RedisReplyError. */
  call(command: string, ...args: RespArgument[]): Promise<RespValue>;
  /** Like `call`, with bulk strings in the reply as Buffers (binary-safe values). */
  callBuffer(command: string, ...args: RespArgument[]): Promise<RespValue>;
  get(key: RespArgument): Promise<string | null>;
  getBuffer(key: RespArgument): Promise<Buffer | null>;
  set(key: RespArgument, value: RespArgument, ...options: RespArgument[]): Promise<string | null>;
  del(...keys: RespArgument[]): Promise<number>;
  incr(key: RespArgument): Promise<number>;
  /** MULTI … EXEC on one connection, written back to back. Resolves to EXEC's replies; rejects with TransactionError when any failed. */
  multi(commands: CommandTuple[]): Promise<RespValue[]>;
  /** Messages on these channels (SUBSCRIBE with the first subscriber of a name, UNSUBSCRIBE with its last); carried through handoffs exactly once. */
  subscribe$(...channels: string[]): Observable<PubSubMessage>;
  /** Like `subscribe$`, with `message` as a Buffer. */
  subscribeBuffer$(...channels: string[]): Observable<PubSubMessage<Buffer>>;
  psubscribe$(...patterns: string[]): Observable<PubSubMessage>;
  ssubscribe$(...shardChannels: string[]): Observable<PubSubMessage>;
  /** Resolves once the server confirmed; to a function that unsubscribes this listener. */
  subscribe(channels: string[], listener: PubSubListener<Buffer>, options: SubscribeOptions & { buffers: true }): Promise<() => Promise<void>>;
  subscribe(channels: string[], listener: PubSubListener, options?: SubscribeOptions): Promise<() => Promise<void>>;
  psubscribe(patterns: string[], listener: PubSubListener<Buffer>, options: SubscribeOptions & { buffers: true }): Promise<() => Promise<void>>;
  psubscribe(patterns: string[], listener: PubSubListener, options?: SubscribeOptions): Promise<() => Promise<void>>;
  ssubscribe(shardChannels: string[], listener: PubSubListener<Buffer>, options: SubscribeOptions & { buffers: true }): Promise<() => Promise<void>>;
  ssubscribe(shardChannels: string[], listener: PubSubListener, options?: SubscribeOptions): Promise<() => Promise<void>>;
  /** PUBLISH through the pool; resolves to the number of receivers on that server. */
  publish(channel: RespArgument, message: RespArgument): Promise<number>;
  spublish(shardChannel: RespArgument, message: RespArgument): Promise<number>;
  readonly events$: Observable<LifecycleEvent>;
  readonly notifications$: Observable<NotificationRecord>;
  readonly state$: Observable<ClientState>;
  /** Adds a hook that sees (and may change or veto) every maintenance notification; returns a remover. */
  addNotificationHook(hook: NotificationHook): () => void;
  /** The current state snapshot (what `state$` last emitted, with fresh in-flight counts). */
  state(): ClientState;
  /** Drains in-flight replies, closes every socket and completes every stream. Idempotent. */
  close(): Promise<void>;
}

export function createMaintClient(options: MaintClientOptions = {}, internals: ClientInternals = {}): MaintClient {
  return new Client(resolveClientOptions(options), internals);
}

type Status = ClientState['status'];

class Client implements MaintClient {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly pool: Pool;
  private readonly pubsub: PubSub;
  private readonly eventsSubject = new Subject<LifecycleEvent>();
  private readonly notificationsSubject = new Subject<NotificationRecord>();
  private readonly stateChanges = new Subject<ClientState>();
  private statePending = false;
  private readonly endpointType: Promise<ResolvedEndpointType>;
  private status: Status = 'new';
  private connecting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  readonly events$: Observable<LifecycleEvent>;
  readonly notifications$: Observable<NotificationRecord>;
  readonly state$: Observable<ClientState>;

  constructor(private readonly options: ResolvedClientOptions, internals: ClientInternals) {
    this.clock = internals.clock ?? systemClock;
    this.logger = createLogger(options.maint.logLevel, options.logger as Partial<Logger> | undefined);
    this.endpointType = this.resolveEndpointType();
    this.pool = new Pool({
      options,
      clock: this.clock,
      logger: this.logger,
      emit: (event) => this.emit(event),
      onNotification: (connection, notification) => {
        if (this.notificationsSubject.observed) {
          this.notificationsSubject.next({ connectionId: connection.id, endpoint: connection.endpointText, notification, at: Date.now() });
        }
      },
      onChange: () => this.publishState(),
    });
    this.pubsub = new PubSub({
      unavailable: (method) => (this.status === 'ready' ? pubsubRefusal(options, method) : this.notReadyError(method)),
      session: () => pubsubSession(this.pool, options, this.clock, this.logger, (event) => this.emit(event)),
    });
    this.events$ = this.eventsSubject.asObservable();
    this.notifications$ = this.notificationsSubject.asObservable();
    // Each subscriber starts with the current state; then one snapshot per tick with changes.
    this.state$ = new Observable<ClientState>((subscriber) => {
      subscriber.next(this.state());
      return this.stateChanges.subscribe(subscriber);
    });
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

  getBuffer(key: RespArgument): Promise<Buffer | null> {
    return this.send('GET', [key], true) as Promise<Buffer | null>;
  }

  private send(command: string, args: RespArgument[], binary: boolean): Promise<RespValue> {
    if (this.status !== 'ready') return Promise.reject(this.notReadyError(command));
    if (typeof command !== 'string' || command === '') return Promise.reject(new UsageError('ERR_INVALID_ARGUMENT', 'The command name must be a non-empty string'));
    for (let i = 0; i < args.length; i++) {
      if (!isRespArgument(args[i])) return Promise.reject(invalidArgument(command, i, args[i]));
    }
    const name = command.toUpperCase();
    const refusal = refusalReason(name, args);
    if (refusal !== undefined) return Promise.reject(new UsageError('ERR_UNSUPPORTED_COMMAND', `${name} is not sent through the shared pool: ${refusal}`));
    const blockMs = blockTimeMs(name, args);
    if (blockMs !== undefined) return this.callBlocking(name, [command, ...args], blockMs, binary);
    return new Promise((resolve, reject) => {
      const pending = new PendingCommand(name, encodeCommand([command, ...args]), this.clock.now(), this.options.commandTimeout, 0, resolve, reject);
      pending.binary = binary;
      this.pool.send(pending);
    });
  }

  get(key: RespArgument): Promise<string | null> {
    return this.call('GET', key) as Promise<string | null>;
  }

  set(key: RespArgument, value: RespArgument, ...options: RespArgument[]): Promise<string | null> {
    return this.call('SET', key, value, ...options) as Promise<string | null>;
  }

  del(...keys: RespArgument[]): Promise<number> {
    return this.call('DEL', ...keys) as Promise<number>;
  }

  incr(key: RespArgument): Promise<number> {
    return this.call('INCR', key) as Promise<number>;
  }

  async multi(commands: CommandTuple[]): Promise<RespValue[]> {
    if (this.status !== 'ready') throw this.notReadyError('MULTI');
    if (!Array.isArray(commands) || commands.length === 0) throw new UsageError('ERR_INVALID_ARGUMENT', 'multi() takes a non-empty array of [command, ...args]');
    for (const tuple of commands) {
      const [name, ...args] = Array.isArray(tuple) ? tuple : [];
      if (typeof name !== 'string' || name === '') throw new UsageError('ERR_INVALID_ARGUMENT', 'Each multi() entry must start with a command name');
      args.forEach((arg, i) => {
        if (!isRespArgument(arg)) throw invalidArgument(name, i, arg);
      });
      const upper = name.toUpperCase();
      // Inside MULTI the same commands would change the shared connection just as well.
      const refusal = refusalReason(upper, args);
      if (refusal !== undefined) throw new UsageError('ERR_UNSUPPORTED_COMMAND', `${upper} cannot appear inside multi(): ${refusal}`);
    }
    const now = this.clock.now();
    const timeout = this.options.commandTimeout;
    const settled: Array<Promise<{ ok: boolean; value: unknown }>> = [];
    const pending = [['MULTI'] as CommandTuple, ...commands, ['EXEC'] as CommandTuple].map((tuple) => {
      let command!: PendingCommand;
      settled.push(
        new Promise((resolve) => {
          command = new PendingCommand(
            tuple[0].toUpperCase(),
            encodeCommand(tuple),
            now,
            timeout,
            0,
            (value) => resolve({ ok: true, value }),
            (error) => resolve({ ok: false, value: error }),
          );
        }),
      );
      return command;
    });
    this.pool.sendTogether(pending);
    const outcomes = await Promise.all(settled);
    const exec = outcomes[outcomes.length - 1] as { ok: boolean; value: unknown };
    if (!exec.ok) {
      const queueError = outcomes.slice(1, -1).find((outcome) => !outcome.ok)?.value as Error | undefined;
      const cause = exec.value as Error;
      if (!(cause instanceof RedisReplyError)) throw cause;
      throw new TransactionError(`Transaction not executed: ${queueError?.message ?? cause.message}`, [], queueError ?? cause);
    }
    const replies = exec.value as RespValue[] | null;
    if (replies === null) throw new TransactionError('Transaction not executed: a watched key changed', []);
    const failed = replies.find((reply) => reply instanceof RedisReplyError) as RedisReplyError | undefined;
    if (failed !== undefined) throw new TransactionError(`A command inside the transaction failed: ${failed.message}`, replies, failed);
    return replies;
  }

  subscribe$(...channels: string[]): Observable<PubSubMessage> {
    return this.pubsub.observe('channel', channels, false);
  }

  subscribeBuffer$(...channels: string[]): Observable<PubSubMessage<Buffer>> {
    return this.pubsub.observe('channel', channels, true);
  }

  psubscribe$(...patterns: string[]): Observable<PubSubMessage> {
    return this.pubsub.observe('pattern', patterns, false);
  }

  ssubscribe$(...shardChannels: string[]): Observable<PubSubMessage> {
    return this.pubsub.observe('shard', shardChannels, false);
  }

  subscribe(channels: string[], listener: PubSubListener<never>, options?: SubscribeOptions): Promise<() => Promise<void>> {
    return this.pubsub.listen('channel', channels, listener, options);
  }

  psubscribe(patterns: string[], listener: PubSubListener<never>, options?: SubscribeOptions): Promise<() => Promise<void>> {
    return this.pubsub.listen('pattern', patterns, listener, options);
  }

  ssubscribe(shardChannels: string[], listener: PubSubListener<never>, options?: SubscribeOptions): Promise<() => Promise<void>> {
    return this.pubsub.listen('shard', shardChannels, listener, options);
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
    this.publishState();
    try {
      const endpointType = await this.endpointType;
      // close() may have run while the endpoint type was being resolved.
      if ((this.status as Status) === 'closed') throw new ConnectionError('ERR_CLIENT_CLOSED', 'The client was closed before it connected');
      await this.pool.start(endpointType);
      if (this.status === 'connecting') this.status = 'ready';
      this.publishState();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async callBlocking(name: string, args: RespArgument[], blockMs: number, binary: boolean): Promise<RespValue> {
    const connection = await this.pool.lease(blockMs + this.options.commandTimeout);
    try {
      return await new Promise<RespValue>((resolve, reject) => {
        const command = new PendingCommand(name, encodeCommand(args), this.clock.now(), blockMs + this.options.commandTimeout, blockMs, resolve, reject);
        command.binary = binary;
        connection.write(command);
      });
    } finally {
      this.pool.release(connection);
    }
  }

  private async shutdown(): Promise<void> {
    this.status = 'closed';
    await this.pubsub.close();
    await this.pool.close();
    if (this.stateChanges.observed) this.stateChanges.next(this.state());
    this.eventsSubject.complete();
    this.notificationsSubject.complete();
    this.stateChanges.complete();
  }

  private resolveEndpointType(): Promise<ResolvedEndpointType> {
    const { maint, host, tls } = this.options;
    if (maint.endpointType !== 'auto') return Promise.resolve(maint.endpointType);
    if (maint.mode === 'disabled') return Promise.resolve('none');
    return resolveEndpointType({ host, tls: tls !== false });
  }

  private emit(event: EventInit): void {
    if (this.eventsSubject.observed) this.eventsSubject.next({ ...event, at: Date.now() } as LifecycleEvent);
  }

  /** Coalesces state changes into one snapshot per tick, built only when someone watches. */
  private publishState(): void {
    if (this.statePending || !this.stateChanges.observed) return;
    this.statePending = true;
    queueMicrotask(() => {
      this.statePending = false;
      if (!this.stateChanges.closed && this.stateChanges.observed) this.stateChanges.next(this.state());
    });
  }

  private notReadyError(command: string): ConnectionError {
    if (this.status === 'closed') return new ConnectionError('ERR_CLIENT_CLOSED', `The client is closed; ${command} was not sent`);
    return new ConnectionError('ERR_NOT_CONNECTED', `${command} was not sent: call and await client.connect() first`);
  }
}

function invalidArgument(command: string, index: number, value: unknown): UsageError {
  const kind = value === null ? 'null' : typeof value === 'number' ? String(value) : typeof value;
  return new UsageError('ERR_INVALID_ARGUMENT', `${command}: argument ${index + 1} is ${kind}; arguments must be strings, finite numbers, bigints or Buffers`);
}
