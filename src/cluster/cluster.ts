/**
 * `createMaintCluster`: a Redis Cluster client made of one hitless pool per primary. Commands go to
 * their slot's owner (CRC16 with hash tags; key positions from the command table); redirects,
 * topology refreshes and cluster-wide maintenance effects live in the router and its helpers.
 */
import type { Observable } from 'rxjs';
import { LifecycleStreams } from '../lifecycle-streams.js';
import type { CommandTuple } from '../client/client.js';
import { blockTimeMs, vetCommand } from '../commands/command-kinds.js';
import { isReadOnlyCommand } from '../commands/read-only.js';
import { validateTuples } from '../transactions/batch.js';
import type { CommandMethods } from '../commands/generated/methods.js';
import { installCommandMethods, type CommandHelpers } from '../commands/methods.js';
import { scanKeys, type ScanOptions } from '../commands/scan.js';
import { ConnectionError, UsageError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import type { NotificationHook } from '../maintenance/hooks.js';
import { isRespArgument } from '../protocol/encoder.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import { systemClock, type Clock } from '../transport/clock.js';
import { ClusterCommand } from './cluster-command.js';
import type { ClusterEvent, ClusterEventInit } from './state.js';
import { clusterBlocking, clusterMulti, clusterWatch, type ExclusiveContext } from './exclusive.js';
import type { Transaction, WatchOptions } from '../transactions/watch.js';
import { fanOut, fanOutPlan } from './fan-out.js';
import { ClusterMaintenance } from './maintenance.js';
import { splitAcrossSlots } from './multi-slot.js';
import { nodeCaller } from './node-caller.js';
import { resolveClusterOptions, type MaintClusterOptions, type ResolvedClusterOptions } from './options.js';
import { ClusterRouter } from './router.js';
import { clusterPubSub } from './pubsub.js';
import { ClusterCredentials } from './credentials.js';
import type { Pipeline } from '../transport/pipeline.js';
import { clusterSharded, type ClusterSharded } from './sharded/surface.js';
import type { PubSub } from '../pubsub/pubsub.js';
import type { PubSubMessage, SubscriptionKind } from '../pubsub/types.js';
import { installPubSubMethods, type PubSubMethods } from '../pubsub/methods.js';
import { commandSlot, CROSSSLOT, KEYLESS } from './routing-keys.js';
import { snapshotCluster, type ClusterNotificationRecord, type ClusterState } from './state.js';

/**
 * The cluster: every typed command method (routed by its keys' slot), pub/sub and the lifecycle below.
 * Channels and patterns go through one subscriber socket on any primary (a PUBLISH reaches every node);
 * it follows MOVINGs and moves to another primary when its node goes away. Shard channels: each slot's
 * channels on its owner's subscriber socket (one per node, one SSUBSCRIBE per slot; channels of several
 * slots may be mixed). When a slot moves (SMIGRATED, MOVED, the old owner's sunsubscribe, a failover
 * found by refresh) its channels follow: subscribed on the new owner first, the old one dropped after
 * (see `cluster.shard.moved`).
 */
export interface MaintCluster extends CommandMethods, CommandHelpers, PubSubMethods {
  /** Loads the slot map from a root node and opens a pool per primary; resolves when one can serve. */
  connect(): Promise<void>;
  /**
   * Sends a command to its slot's owner. Keyless: any primary, or every primary / node as its
   * request policy says (DBSIZE, FLUSHALL, KEYS, SCRIPT LOAD, …), replies joined by its response
   * policy. Keys in several slots: MGET, EXISTS, TOUCH, DEL, UNLINK are split per slot (not
   * atomic as a whole); others UsageError ERR_CROSSSLOT, never sent.
   */
  call(command: string, ...args: RespArgument[]): Promise<RespValue>;
  /** Like `call`, with bulk strings in the reply as Buffers. */
  callBuffer(command: string, ...args: RespArgument[]): Promise<RespValue>;
  /** MULTI … EXEC on the owner of the commands' one slot; keys in several slots: UsageError ERR_CROSSSLOT. */
  multi(commands: CommandTuple[]): Promise<RespValue[]>;
  /** `client.watch()` on a connection of the keys' owner; the keys must share one slot (else UsageError ERR_CROSSSLOT). */
  watch<T>(keys: readonly RespArgument[], body: (tx: Transaction) => Promise<T>, options?: WatchOptions): Promise<T>;
  /** Like `ssubscribe$`, with `message` as a Buffer. */
  ssubscribeBuffer$(...shardChannels: string[]): Observable<PubSubMessage<Buffer>>;
  /** SPUBLISH on the shard channel's owner; resolves with how many subscribers of that shard received it. */
  spublish(shardChannel: RespArgument, message: RespArgument): Promise<number>;
  readonly events$: Observable<ClusterEvent>;
  readonly notifications$: Observable<ClusterNotificationRecord>;
  readonly state$: Observable<ClusterState>;
  /** Adds a hook to every node's pool, present and future; returns a remover. */
  addNotificationHook(hook: NotificationHook): () => void;
  /** Nodes, their slot ranges and connections, now. */
  state(): ClusterState;
  /** AUTH again, with the credentials' current answer, on every live socket of every node (pooled, dedicated, subscribed) without dropping one; resolves with how many accepted. As `client.reauthenticate()`. */
  reauthenticate(): Promise<number>;
  /** Drains in-flight replies on every node, closes every socket and completes every stream. Idempotent. */
  close(): Promise<void>;
}

/** Test and tooling seams that are not user options. */
export interface ClusterInternals {
  clock?: Clock;
}

/** A Redis Cluster client: one hitless pool per primary, commands routed by slot (see the README, "Redis Cluster"). Call `connect()` first. */
export function createMaintCluster(options: MaintClusterOptions, internals: ClusterInternals = {}): MaintCluster {
  return new Cluster(resolveClusterOptions(options), internals);
}

// The typed command methods are defined on the prototype once (see installCommandMethods below).
interface Cluster extends CommandMethods, CommandHelpers, PubSubMethods {}

class Cluster implements MaintCluster {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly router: ClusterRouter;
  private readonly maintenance: ClusterMaintenance;
  private readonly exclusive: ExclusiveContext;
  private readonly pubsub: PubSub;
  private readonly sharded: ClusterSharded;
  private readonly credentials: ClusterCredentials;
  private readonly streams: LifecycleStreams<ClusterEvent, ClusterEventInit, ClusterNotificationRecord, ClusterState> = new LifecycleStreams(() => this.state());
  private status: ClusterState['status'] = 'new';
  private connecting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly timeout: number;
  private readonly replicaReads: boolean;
  readonly events$ = this.streams.events$;
  readonly notifications$ = this.streams.notifications$;
  readonly state$ = this.streams.state$;

  constructor(given: ResolvedClusterOptions, internals: ClusterInternals) {
    this.clock = internals.clock ?? systemClock;
    this.logger = createLogger(given.node.maint.logLevel, given.node.logger as Partial<Logger> | undefined);
    this.credentials = new ClusterCredentials(given, { clock: this.clock, logger: this.logger, livePipelines: () => this.livePipelines(), ready: () => this.status === 'ready' });
    const options = this.credentials.options;
    this.timeout = options.node.commandTimeout;
    this.replicaReads = options.readFrom !== 'primary';
    this.router = new ClusterRouter({
      options,
      clock: this.clock,
      logger: this.logger,
      emit: (event) => this.emit(event),
      emitNode: (node, event) => this.emit({ ...event, node: node.key } as ClusterEventInit),
      onNotification: (node, connection, notification) => {
        this.streams.notify(() => ({ node: node.key, connectionId: connection.id, endpoint: connection.endpointText, notification, at: Date.now() }));
      },
      onHandled: (node, notification) => {
        this.maintenance.handle(node, notification);
        this.sharded.notified(node, notification);
      },
      onChange: () => this.publishState(),
      onTopology: (reason) => this.sharded.shards.topologyChanged(reason),
    });
    this.maintenance = new ClusterMaintenance(this.router, this.clock, (event) => this.emit(event));
    this.exclusive = { router: this.router, clock: this.clock, commandTimeout: this.timeout, maxRedirections: options.maxRedirections };
    this.pubsub = clusterPubSub({
      router: this.router,
      options,
      clock: this.clock,
      logger: this.logger,
      emit: (node, event) => this.emit({ ...event, node } as ClusterEventInit),
      unavailable: (method) => (this.status === 'ready' ? null : this.notReadyError(method)),
    });
    this.sharded = clusterSharded({
      router: this.router,
      options,
      clock: this.clock,
      logger: this.logger,
      emit: (event) => this.emit(event),
      emitNode: (node, event) => this.emit({ ...event, node } as ClusterEventInit),
      onChange: () => this.publishState(),
      unavailable: (method) => (this.status === 'ready' ? null : this.notReadyError(method)),
    });
  }

  connect(): Promise<void> {
    if (this.status === 'closed') return Promise.reject(new ConnectionError('ERR_CLIENT_CLOSED', 'The cluster client is closed; create a new one'));
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
    const slot = commandSlot(name, args);
    if (slot === CROSSSLOT) return splitAcrossSlots(name, args, (part, partSlot) => this.route(command, part, partSlot, name, binary)) ?? Promise.reject(crossSlot(name));
    if (slot === KEYLESS) {
      const plan = fanOutPlan(name, args);
      if (plan !== null) return fanOut(this.router.table, plan, [command, ...args], binary, this.clock, this.timeout);
    }
    const blockMs = blockTimeMs(name, args);
    if (blockMs !== undefined) return clusterBlocking(this.exclusive, [command, ...args], name, blockMs, binary, slot);
    return this.route(command, args, slot, name, binary);
  }

  private route(command: string, args: RespArgument[], slot: number, name: string, binary: boolean): Promise<RespValue> {
    return new Promise((resolve, reject) => {
      const pending = new ClusterCommand(this.router, [command, ...args], slot, name, this.clock.now(), this.timeout, resolve, reject);
      pending.binary = binary;
      pending.readOnly = this.replicaReads && isReadOnlyCommand(name, args);
      this.router.send(pending);
    });
  }

  async multi(commands: CommandTuple[]): Promise<RespValue[]> {
    if (this.status !== 'ready') throw this.notReadyError('MULTI');
    validateTuples(commands, 'multi()');
    let slot = KEYLESS;
    for (const [name, ...args] of commands) {
      const own = commandSlot(name.toUpperCase(), args);
      if (own === CROSSSLOT || (own !== KEYLESS && slot !== KEYLESS && own !== slot)) throw crossSlot('MULTI');
      if (own !== KEYLESS) slot = own;
    }
    return clusterMulti(this.exclusive, commands, slot);
  }

  async watch<T>(keys: readonly RespArgument[], body: (tx: Transaction) => Promise<T>, options?: WatchOptions): Promise<T> {
    if (this.status !== 'ready') throw this.notReadyError('WATCH');
    const slot = Array.isArray(keys) && keys.every((key) => isRespArgument(key)) ? commandSlot('WATCH', keys) : KEYLESS;
    if (slot === CROSSSLOT) throw crossSlot('WATCH');
    return clusterWatch(this.exclusive, keys, slot, body, options);
  }

  /** SCAN walks every primary in turn (a slot that moves during the walk may be missed or repeated). */
  async *scanIterator(options?: ScanOptions): AsyncGenerator<string> {
    if (this.status !== 'ready') throw this.notReadyError('SCAN');
    for (const node of [...this.router.table.primaries]) yield* scanKeys(nodeCaller(node, this.clock, this.timeout), options);
  }

  state(): ClusterState {
    return snapshotCluster(this.status, this.router.table, (node) => this.sharded.shards.channelsOf(node));
  }

  addNotificationHook(hook: NotificationHook): () => void {
    if (typeof hook !== 'object' || hook === null) throw new UsageError('ERR_INVALID_ARGUMENT', 'addNotificationHook() takes an object with preHook/postHook/onHandoff');
    return this.router.addNotificationHook(hook);
  }

  ssubscribeBuffer$(...shardChannels: string[]): Observable<PubSubMessage<Buffer>> {
    return this.sharded.surface.observe('shard', shardChannels, true);
  }

  /** Where the installed PubSubMethods go: shard channels to the sharded surface, the rest to the cluster-wide one. */
  pubsubFor(kind: SubscriptionKind): PubSub {
    return kind === 'shard' ? this.sharded.surface : this.pubsub;
  }

  spublish(shardChannel: RespArgument, message: RespArgument): Promise<number> {
    return this.send('SPUBLISH', [shardChannel, message], false) as Promise<number>;
  }

  async reauthenticate(): Promise<number> {
    if (this.status !== 'ready') throw this.notReadyError('AUTH');
    return this.credentials.reauthenticate();
  }

  private livePipelines(): Pipeline[] {
    const pooled = [...new Set(this.router.table.nodes.values())].flatMap((node) => node.pool.livePipelines());
    return [...pooled, ...this.pubsub.livePipelines(), ...this.sharded.surface.livePipelines()];
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async start(): Promise<void> {
    this.status = 'connecting';
    this.publishState();
    try {
      await this.router.connect();
      if (this.status === 'connecting') this.status = 'ready';
      this.publishState();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async shutdown(): Promise<void> {
    this.status = 'closed';
    this.credentials.close();
    await Promise.all([this.pubsub.close(), this.sharded.surface.close(), this.sharded.shards.close()]);
    await this.router.close();
    this.streams.complete();
  }

  private emit(event: ClusterEventInit): void {
    this.streams.emit(event);
  }

  private publishState(): void {
    this.streams.publishState();
  }

  private notReadyError(command: string): ConnectionError {
    if (this.status === 'closed') return new ConnectionError('ERR_CLIENT_CLOSED', `The cluster client is closed; ${command} was not sent`);
    return new ConnectionError('ERR_NOT_CONNECTED', `${command} was not sent: call and await cluster.connect() first`);
  }
}

installPubSubMethods(Cluster.prototype);
installCommandMethods(Cluster.prototype);

function crossSlot(command: string): UsageError {
  return new UsageError('ERR_CROSSSLOT', `${command} was not sent: its keys hash to different slots (use a hash tag such as {user:42} to keep them in one)`);
}
