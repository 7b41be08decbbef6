import type { ResolvedClientOptions } from '../config.js';
import { ConnectionError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import type { Logger } from '../log.js';
import type { ConnectionInput, ConnectionStateValue } from '../machines/connection.machine.js';
import { reconnectDelay } from '../machines/reconnect-backoff.js';
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
import { ConnectionOpener, type SocketOwner } from './opener.js';
import { PushRouter } from './push-router.js';
import { PoolActors } from './pool-actors.js';
import { PoolStartup } from './pool-startup.js';
import { Router } from './router.js';
import { unblockClient } from './unblock.js';

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
 * blocking commands, and keeps the connections' actors under one supervising pool actor (PoolActors:
 * made when there is something to supervise).
 */
export class Pool implements ConnectionHost {
  readonly connections = new Map<string, Connection>();
  /** Push frames from pooled connections, by kind (maintenance here; invalidations for a cache plug in). */
  readonly pushes: PushRouter<Connection>;
  /** Made when first needed (a blocking command or WATCH; a maintenance push or hook): most clients never need them. */
  private dedicatedRoom: DedicatedConnections | null = null;
  private maintenanceRoom: MaintenanceHandler<Connection> | null = null;
  private readonly router: Router;
  private readonly actors: PoolActors;
  private readonly configured: Endpoint;
  private current: Endpoint;
  readonly closeGraceMs: number;
  readonly relaxedTimeoutMs: number;
  readonly clock: Clock;
  private readonly opener: ConnectionOpener;
  private nextId = 1;
  private closing = false;
  private closed: Promise<void> | null = null;
  /** `start()` was called (a client never connected has nothing to close). */
  private running = false;
  private readonly startup: PoolStartup;

  constructor(private readonly deps: PoolDependencies) {
    const { options, clock } = deps;
    this.clock = clock;
    this.configured = { host: options.host, port: options.port };
    this.current = this.configured;
    this.closeGraceMs = options.commandTimeout;
    this.relaxedTimeoutMs = options.maint.relaxedTimeout;
    this.router = new Router(clock, options.maint.relaxedTimeout);
    this.opener = new ConnectionOpener(deps);
    this.startup = new PoolStartup(() => this.spawn(false), this.connections, this.opener);
    this.pushes = new PushRouter((connection, type) => deps.logger.debug(`push frame "${type}" on ${connection.id} has no consumer; ignored`));
    this.pushes.use('maintenance', (connection, frame) => this.maintenance.push(connection, frame));
    // Invalidations go to the client-side cache, never to the maintenance handler (SPEC §3).
    if (deps.onInvalidate !== undefined) {
      const onInvalidate = deps.onInvalidate;
      this.pushes.use('invalidate', (_connection, frame) => onInvalidate(frame[1] ?? null));
    }
    this.actors = new PoolActors({
      options,
      clock,
      logger: deps.logger,
      connections: this.connections,
      makeCoordinator: () => new HandoffCoordinator({
        config: options.maint,
        clock,
        emit: deps.emit,
        hooks: this.maintenance.hooks,
        connection: (id) => this.connections.get(id),
        openAt: (connection, endpoint, signal) => this.openAt(connection, endpoint, signal),
        currentEndpoint: () => formatEndpoint(this.current),
      }),
    });
  }

  private get dedicated(): DedicatedConnections {
    const { options, clock, emit } = this.deps;
    return (this.dedicatedRoom ??= new DedicatedConnections({
      clock,
      spawn: () => this.spawn(true),
      stop: (connection) => this.actors.stop(connection),
      lastError: (connection) => this.opener.lastError(connection.id),
      capacity: options.maxActive === undefined ? Infinity : Math.max(1, options.maxActive - options.poolSize),
      commandTimeout: options.commandTimeout,
      emit,
      unblock: (endpoint, id, ms) => unblockClient(options, clock, endpoint, id, ms),
    }));
  }

  private get maintenance(): MaintenanceHandler<Connection> {
    const { options, clock, emit } = this.deps;
    return (this.maintenanceRoom ??= new MaintenanceHandler({
      config: options.maint,
      configuredEndpoint: this.configured,
      clock,
      onNotification: this.deps.onNotification,
      emit,
      logger: this.deps.logger,
      connectionsAt: (endpoint) => [...this.connections.values()].filter((c) => c.endpointText === endpoint && c.state !== 'closing' && c.state !== 'closed'),
      moveTo: (target, details) => {
        this.current = target;
        emit({ type: 'endpoint.moved', from: details.from, to: formatEndpoint(target), seq: details.seq, timeS: details.timeS });
      },
    }));
  }

  addNotificationHook(hook: NotificationHook): () => void {
    this.maintenance.hooks.push(hook);
    return () => {
      const index = this.maintenance.hooks.indexOf(hook);
      if (index !== -1) this.maintenance.hooks.splice(index, 1);
    };
  }

  /** Opens the pool (see PoolStartup); resolves when one connection is ready, rejects when every first attempt failed. */
  start(endpointType: ResolvedEndpointType | Promise<ResolvedEndpointType>): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    const opener = this.opener;
    opener.endpointType = endpointType;
    if (typeof endpointType !== 'string') void endpointType.then((resolved) => (opener.endpointType = resolved));
    if (!this.running) {
      this.running = true;
      // The first socket's dial starts before anything else (see preDial).
      this.opener.preDial(this.current);
      if (this.actors.eager) this.actors.pool();
    }
    return this.startup.begin(this.deps.options.poolSize);
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
    if (this.closing) return this.closed ?? Promise.resolve();
    this.closing = true;
    this.router.failParked((command) => closedError(command.name));
    this.dedicatedRoom?.closeAll();
    this.startup.cancel(closedError);
    this.opener.discardPreDial();
    if (!this.running) return;
    this.closed = this.actors.closeAll();
    return this.closed;
  }

  /** The live sockets of every connection, pooled or dedicated, lent or not (what `reauthenticate()` re-AUTHs). */
  livePipelines(): Pipeline[] {
    return [...this.connections.values()].flatMap((c) => (c.pipeline?.writable === true ? [c.pipeline] : []));
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
    this.pushes.route(connection, frame);
  }

  /** Where new sockets go now (the last MOVING's target, else the configured address). */
  get currentEndpoint(): Endpoint {
    return this.current;
  }

  get configuredEndpoint(): Endpoint {
    return this.configured;
  }

  /** Dial + handshake for a socket outside the pool (a subscriber session's). */
  openFor(owner: SocketOwner, endpoint: Endpoint, signal: AbortSignal) {
    return this.opener.openAt(owner, endpoint, signal).finally(() => this.opener.forget(owner.id));
  }

  onInternalError(connection: Connection, error: unknown): void {
    this.deps.logger.error(`connection ${connection.id} failed; it is replaced`, error);
  }

  onSocketRetired(connection: Connection): void {
    if (!connection.dedicated) this.deps.onTrackingEnded?.();
  }

  onRelaxChange(connection: Connection, snapshot: ConnectionSnapshotValue, relaxed: boolean): void {
    this.router.setInMaintenance(connection, relaxed || connection.state === 'handingOff');
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
    this.router.setInMaintenance(connection, state === 'handingOff' || connection.relaxedTimeout > 0);
    if (connection.ready) {
      if (previous === 'connecting') emit({ type: 'connection.ready', ...base });
      this.startup.ready();
    }
    this.onRoutableChange(connection);
    if (state === 'reconnecting') {
      const snapshot = connection.ref?.getSnapshot();
      const attempt = snapshot?.context.attempt ?? 1;
      const reason = snapshot?.context.lastError ?? 'unknown';
      if (previous !== 'connecting') emit({ type: 'connection.lost', ...base, reason });
      emit({ type: 'connection.reconnecting', ...base, attempt, delayMs: snapshot?.context.reconnectDelayMs ?? reconnectDelay(attempt), reason });
      this.startup.failed();
    } else if (state === 'closed') {
      this.connections.delete(connection.id);
      this.router.forget(connection);
      this.opener.forget(connection.id);
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
    if (this.actors.eager) this.actors.spawn(connection);
    else connection.firstOpen();
    if (dedicated) this.emitResized();
    return connection;
  }

  /** ConnectionHost: the actor of a connection whose first attempt ran without one. */
  materialize(connection: Connection, startIn: NonNullable<ConnectionInput['startIn']>): void {
    if (this.closing || connection.ref !== null) return;
    this.actors.spawn(connection, startIn);
  }

  private emitResized(): void {
    let dedicated = 0;
    for (const connection of this.connections.values()) if (connection.dedicated) dedicated++;
    this.deps.emit({ type: 'pool.resized', size: this.connections.size - dedicated, dedicated });
  }

}

function closedError(command?: string): ConnectionError {
  return new ConnectionError('ERR_CLIENT_CLOSED', command === undefined ? 'The client is closed' : `The client is closed; ${command} was not sent`);
}
