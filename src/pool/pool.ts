import { createActor, toPromise, type Actor, type InspectionEvent, type Observer } from 'xstate';
import type { ResolvedClientOptions } from '../config.js';
import { ConnectionError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import type { Logger } from '../log.js';
import { reconnectDelay, type ConnectionStateValue } from '../machines/connection.machine.js';
import { MaintenanceHandler } from '../maintenance/handler.js';
import type { NotificationHook } from '../maintenance/hooks.js';
import { formatEndpoint, type Endpoint } from '../protocol/endpoint.js';
import type { MaintSupport, ResolvedEndpointType } from '../protocol/handshake.js';
import type { MaintenanceNotification } from '../protocol/notifications.js';
import type { RespArgument, RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import type { PendingCommand } from '../transport/command.js';
import type { Pipeline } from '../transport/pipeline.js';
import { Connection, type ConnectionHost, type ConnectionSnapshotValue } from './connection.js';
import { HandoffCoordinator } from './handoffs.js';
import { DedicatedConnections } from './dedicated.js';
import { ConnectionOpener } from './opener.js';
import type { poolMachine } from './pool.machine.js';
import { attachRuntime, poolLogic } from './pool-logic.js';
import { Router } from './router.js';
import { unblockClient } from './unblock.js';
import { isInvalidation } from '../cache/invalidation.js';

export interface PoolDependencies {
  options: ResolvedClientOptions;
  clock: Clock;
  emit: EmitEvent;
  logger: Logger;
  onNotification(connection: Connection, notification: MaintenanceNotification): void;
  /** Called whenever a connection changes state (for state snapshots). */
  onChange(): void;
  /** Client-side caching: an `invalidate` push, and a pooled socket whose tracking ended. */
  onInvalidate?(keys: RespValue): void;
  onTrackingEnded?(): void;
}

/**
 * The pool: routes each command to the ready connection with the fewest in flight (multiplexing,
 * no lease per command), parks commands while none is ready, lends dedicated connections for
 * blocking commands, and keeps the connection actors under one supervising pool actor.
 */
export class Pool implements ConnectionHost {
  readonly connections = new Map<string, Connection>();
  private readonly dedicated: DedicatedConnections;
  private readonly router: Router;
  private readonly actor: Actor<typeof poolMachine>;
  private readonly maintenance: MaintenanceHandler;
  private readonly handoffs: HandoffCoordinator;
  private readonly configured: Endpoint;
  private current: Endpoint;
  readonly closeGraceMs: number;
  readonly relaxedTimeoutMs: number;
  readonly clock: Clock;
  private readonly opener: ConnectionOpener;
  private nextId = 1;
  /** Pooled connections not opened yet (see start). */
  private unspawned = 0;
  private restTimer: ReturnType<typeof setTimeout> | undefined;
  private closing = false;
  private started: { resolve: () => void; reject: (error: Error) => void } | null = null;

  constructor(private readonly deps: PoolDependencies) {
    const { options, clock } = deps;
    this.clock = clock;
    this.configured = { host: options.host, port: options.port };
    this.current = this.configured;
    this.closeGraceMs = options.commandTimeout;
    this.relaxedTimeoutMs = options.maint.relaxedTimeout;
    this.router = new Router(clock, options.maint.relaxedTimeout);
    this.opener = new ConnectionOpener(deps);
    this.dedicated = new DedicatedConnections({
      clock,
      spawn: () => this.spawn(true),
      stop: (connection) => this.stopConnection(connection),
      lastError: (connection) => this.opener.lastErrors.get(connection.id),
      capacity: options.maxActive === undefined ? Infinity : Math.max(1, options.maxActive - options.poolSize),
      commandTimeout: options.commandTimeout,
      emit: deps.emit,
      unblock: (endpoint, id, ms) => unblockClient(options, clock, endpoint, id, ms),
    });
    this.maintenance = new MaintenanceHandler({
      config: options.maint,
      configuredEndpoint: this.configured,
      clock,
      onNotification: deps.onNotification,
      emit: deps.emit,
      logger: deps.logger,
      connectionsAt: (endpoint) => [...this.connections.values()].filter((c) => c.endpointText === endpoint && c.state !== 'closing' && c.state !== 'closed'),
      moveTo: (target, details) => {
        this.current = target;
        deps.emit({ type: 'endpoint.moved', from: details.from, to: formatEndpoint(target), seq: details.seq, timeS: details.timeS });
      },
    });
    this.handoffs = new HandoffCoordinator({
      config: options.maint,
      clock,
      emit: deps.emit,
      hooks: this.maintenance.hooks,
      connection: (id) => this.connections.get(id),
      openAt: (connection, endpoint, signal) => this.openAt(connection, endpoint, signal),
      currentEndpoint: () => formatEndpoint(this.current),
    });
    const inspect = options.inspect as Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
    this.actor = createActor(poolLogic, {
      clock: clock as never,
      input: {
        workers: options.maint.maxWorkers,
        queueSize: options.maint.handoffQueueSize,
        handoffTimeoutMs: options.maint.handoffTimeout,
        maxHandoffAttempts: options.maint.maxHandoffRetries,
      },
      ...(inspect === undefined ? {} : { inspect }),
    });
    attachRuntime(this.actor.system, {
      openSocket: (id, signal) => this.get(id).open(signal),
      closeSocket: (id) => this.get(id).closeSocket(),
      requestHandoff: (id, moving) => this.actor.send({ type: 'handoff.request', job: { connectionId: id, seq: moving.seq, endpoint: moving.target, deadlineAt: moving.deadlineAt } }),
      cancelHandoff: (id) => {
        this.connections.get(id)?.discardStaged();
        this.handoffs.cancelled(id);
        this.actor.send({ type: 'handoff.cancel', connectionId: id });
      },
      openTarget: (job, attempt, signal) => this.handoffs.openTarget(job, attempt, signal),
      swap: (job) => this.handoffs.swap(job),
      retryDelay: (job, attempt) => this.handoffs.retryDelay(job, attempt),
      handoffQueued: (job, overflow) => this.handoffs.queued(job, overflow),
      handoffEnded: (done) => this.handoffs.ended(done),
    });
    this.actor.subscribe({ error: (error) => deps.logger.error('pool supervisor failed', error) });
    this.actor.start();
  }

  addNotificationHook(hook: NotificationHook): () => void {
    this.maintenance.hooks.push(hook);
    return () => {
      const index = this.maintenance.hooks.indexOf(hook);
      if (index !== -1) this.maintenance.hooks.splice(index, 1);
    };
  }

  /**
   * Opens `poolSize` connections; resolves when one is ready, rejects when every first attempt
   * failed. The first connection opens alone and the others right after it is ready (or failed),
   * so that a cold start's first reply does not wait for every member's dial and handshake.
   */
  start(endpointType: ResolvedEndpointType): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    this.opener.endpointType = endpointType;
    const ready = new Promise<void>((resolve, reject) => (this.started = { resolve, reject }));
    this.unspawned = this.deps.options.poolSize - 1;
    this.spawn(false);
    return ready;
  }

  /**
   * The rest of the pool: a millisecond after the first connection is ready, by when the caller's
   * first commands were written and, on a near server, answered (their replies are not queued
   * behind the others' set-up); at once when the first connection failed.
   */
  private spawnRest(now: boolean): void {
    const count = this.unspawned;
    if (count === 0) return;
    this.unspawned = 0;
    const spawn = () => {
      this.restTimer = undefined;
      if (!this.closing) for (let i = 0; i < count; i++) this.spawn(false);
    };
    if (now) spawn();
    else this.restTimer = setTimeout(spawn, 1);
  }

  /** The per-command path (see Router). */
  send(command: PendingCommand): void {
    this.router.send(command);
  }

  /** Writes commands back to back on one connection (MULTI … EXEC needs no lease). */
  sendTogether(commands: PendingCommand[]): void {
    for (const command of commands) this.router.send(command);
  }

  /** A dedicated connection for one caller (blocking commands); give it back with `release`. */
  lease(timeoutMs: number): Promise<Connection> {
    if (this.closing) return Promise.reject(closedError());
    return this.dedicated.lease(timeoutMs);
  }

  release(connection: Connection): void {
    this.dedicated.release(connection);
  }

  /** A blocking command on a dedicated connection, carried across handoffs. */
  callBlocking(tuple: RespArgument[], blockMs: number, binary: boolean): Promise<RespValue> {
    if (this.closing) return Promise.reject(closedError(String(tuple[0])));
    return this.dedicated.call(tuple, blockMs, binary);
  }

  /** Stops new work, fails parked commands, drains in-flight replies and closes every socket. */
  async close(): Promise<void> {
    if (this.closing) return this.whenClosed();
    this.closing = true;
    clearTimeout(this.restTimer);
    this.router.failParked((command) => closedError(command.name));
    this.dedicated.closeAll();
    this.started?.reject(closedError());
    this.actor.send({ type: 'close' });
    return this.whenClosed();
  }

  /** The live sockets of the connections not lent to a caller (what `reauthenticate()` re-AUTHs). */
  livePipelines(): Pipeline[] {
    return [...this.connections.values()].flatMap((c) => (!c.leased && c.pipeline?.writable === true ? [c.pipeline] : []));
  }

  supportSnapshot(): Record<string, MaintSupport> {
    return this.opener.supportSnapshot();
  }

  // --- ConnectionHost: called by connections and their actors -------------------------------

  /** Dials the pool's current address; when that fails and it is not the configured one, the configured one. */
  async open(connection: Connection, signal: AbortSignal) {
    const current = this.current;
    try {
      return { ...(await this.openAt(connection, current, signal)), endpoint: current };
    } catch (error) {
      if (current === this.configured || signal.aborted) throw error;
      return { ...(await this.openAt(connection, this.configured, signal)), endpoint: this.configured };
    }
  }

  openAt(connection: Connection, endpoint: Endpoint, signal: AbortSignal) {
    return this.opener.openAt(connection, endpoint, signal);
  }

  onPush(connection: Connection, frame: RespValue[]): void {
    // Invalidations go to the client-side cache, never to the maintenance handler (SPEC §3).
    if (isInvalidation(frame)) return this.deps.onInvalidate?.(frame[1] ?? null);
    this.maintenance.push(connection, frame);
  }

  onSocketRetired(connection: Connection): void {
    if (!connection.dedicated) this.deps.onTrackingEnded?.();
  }


  onRelaxChange(connection: Connection, snapshot: ConnectionSnapshotValue, relaxed: boolean): void {
    if (relaxed || connection.state === 'handingOff') this.router.inMaintenance.add(connection);
    else this.router.inMaintenance.delete(connection);
    const base = { connectionId: connection.id, endpoint: connection.endpointText };
    if (relaxed) {
      const source = Object.keys(snapshot.context.relaxSources)[0] ?? 'unknown';
      this.deps.emit({ type: 'connection.relaxed', ...base, source, timeoutMs: this.relaxedTimeoutMs });
    } else {
      const last = snapshot.context.lastUnrelax;
      this.deps.emit({ type: 'connection.unrelaxed', ...base, source: last?.source ?? 'unknown', reason: last?.reason ?? 'closing-notification' });
    }
    this.deps.onChange();
  }

  /** The connection started or stopped taking commands without a state change (handoff drain, socket lost). */
  onRoutableChange(connection: Connection): void {
    this.router.update(connection);
  }

  onStateChange(connection: Connection, previous: ConnectionStateValue): void {
    const { emit } = this.deps;
    const state = connection.state;
    const base = { connectionId: connection.id, endpoint: connection.endpointText };
    if (state === 'handingOff' || connection.relaxedTimeout > 0) this.router.inMaintenance.add(connection);
    else this.router.inMaintenance.delete(connection);
    if (connection.ready) {
      if (previous === 'connecting') emit({ type: 'connection.ready', ...base });
      this.started?.resolve();
      this.started = null;
      this.spawnRest(false);
    }
    this.onRoutableChange(connection);
    if (state === 'reconnecting') {
      const snapshot = connection.ref?.getSnapshot();
      const attempt = snapshot?.context.attempt ?? 1;
      const reason = snapshot?.context.lastError ?? 'unknown';
      if (previous !== 'connecting') emit({ type: 'connection.lost', ...base, reason });
      emit({ type: 'connection.reconnecting', ...base, attempt, delayMs: snapshot?.context.reconnectDelayMs ?? reconnectDelay(attempt), reason });
      // The first connection failed: the others try now, and connect() fails only when they all did.
      this.spawnRest(true);
      this.checkStartFailed();
    } else if (state === 'closed') {
      this.connections.delete(connection.id);
      this.router.forget(connection);
      this.opener.lastErrors.delete(connection.id);
      emit({ type: 'connection.closed', ...base });
      if (connection.dedicated) {
        this.dedicated.onClosed(connection);
        this.emitResized();
      } else if (!this.closing) {
        this.spawn(false);
      }
    }
    connection.whenChanged?.();
    this.deps.onChange();
  }

  // --- internals ------------------------------------------------------------------------------

  private spawn(dedicated: boolean): Connection {
    const id = `${dedicated ? 'd' : 'c'}${this.nextId++}`;
    const connection = new Connection(id, this.current, dedicated, this);
    this.connections.set(id, connection);
    this.deps.emit({ type: 'connection.created', connectionId: id, endpoint: connection.endpointText, dedicated });
    const postHandoffRelaxMs = this.deps.options.maint.mode === 'disabled' ? 0 : this.deps.options.maint.postHandoffRelaxedDuration;
    this.actor.send({ type: 'connection.spawn', input: { id, endpoint: connection.endpointText, postHandoffRelaxMs, handoffTimeoutMs: this.deps.options.maint.handoffTimeout } });
    const ref = this.actor.getSnapshot().children[id];
    if (ref === undefined) throw new Error(`connection actor ${id} was not spawned`);
    connection.attach(ref as never);
    if (dedicated) this.emitResized();
    return connection;
  }

  private emitResized(): void {
    let dedicated = 0;
    for (const connection of this.connections.values()) if (connection.dedicated) dedicated++;
    this.deps.emit({ type: 'pool.resized', size: this.connections.size - dedicated, dedicated });
  }

  private stopConnection(connection: Connection): void {
    this.actor.send({ type: 'connection.stop', id: connection.id });
  }

  private get(id: string): Connection {
    const connection = this.connections.get(id);
    if (connection === undefined) throw new Error(`unknown connection ${id}`);
    return connection;
  }

  /** connect() fails when every pooled connection failed its first attempt. */
  private checkStartFailed(): void {
    if (this.started === null) return;
    const shared = [...this.connections.values()].filter((c) => !c.dedicated);
    if (shared.length === 0 || !shared.every((c) => this.opener.lastErrors.has(c.id))) return;
    const error = this.opener.lastErrors.get((shared[0] as Connection).id) as Error;
    this.started.reject(error);
    this.started = null;
  }

  private whenClosed(): Promise<void> {
    if (this.actor.getSnapshot().status !== 'active') return Promise.resolve();
    return toPromise(this.actor).then(
      () => undefined,
      () => undefined,
    );
  }

}

function closedError(command?: string): ConnectionError {
  return new ConnectionError('ERR_CLIENT_CLOSED', command === undefined ? 'The client is closed' : `The client is closed; ${command} was not sent`);
}
