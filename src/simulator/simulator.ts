/**
 * The simulator: endpoints (listening ports) in front of the Redis servers of a topology, the
 * proxied connections, the notice windows of running actions, and the event stream.
 */
import type { Socket } from 'node:net';
import type { Observable } from 'rxjs';
import { Subject } from '../rx.js';
import { ConfigError } from '../errors.js';
import { FrameScanner, scanFrames } from '../protocol/frame-scanner.js';
import { ActionRunner } from './action-runner.js';
import { planAction, type ActionContext, type NoticeWindow } from './actions/index.js';
import { Endpoint } from './endpoint.js';
import { routeStandaloneRequest, startHttpApi, type HttpApi } from './http-api.js';
import { standaloneRegistry } from './databases/attach.js';
import { withDatabases } from './databases/http-route.js';
import type { DatabaseRegistry } from './databases/registry.js';
import { ProxyConnection, type ConnectionHooks } from './proxy-connection.js';
import { delay } from './timing.js';
import { planHosts } from './hosts.js';
import { givenUpstream, spawnTopology, type Topology } from './topology.js';
import type {
  ActionRequest,
  ActionResult,
  ActionStatus,
  ActionType,
  ConnectionInfo,
  HostPort,
  InjectOptions,
  MaintSimulator,
  MaintSimulatorOptions,
  SimulatorEvent,
  SimulatorTlsOptions,
} from './types.js';

/**
 * Injected bytes must be one or more complete RESP frames: a partial frame would leave the
 * client's stream inside a frame, so that the next reply is read as part of it.
 */
function checkWholeFrames(bytes: Buffer): void {
  const rule = 'must be one or more complete RESP frames';
  let ends: number[];
  try {
    ends = scanFrames(new FrameScanner(), bytes);
  } catch (error) {
    throw new ConfigError('frame', `${bytes.length} bytes`, `${rule} (${(error as Error).message})`);
  }
  if (bytes.length === 0 || ends.at(-1) !== bytes.length) throw new ConfigError('frame', `${bytes.length} bytes`, `${rule} (it ends inside a frame)`);
}

export class Simulator implements MaintSimulator {
  private readonly subject = new Subject<SimulatorEvent>();
  readonly events$: Observable<SimulatorEvent> = this.subject.asObservable();
  readonly tls: boolean;
  readonly tlsCa: string | null;
  private readonly endpointList: Endpoint[];
  /** The database's own address (`databaseEndpoint`), or null. */
  private readonly database: Endpoint | null;
  /** Every listening endpoint: the nodes, then the database endpoint. */
  private readonly addressList: Endpoint[];
  private active: Endpoint;
  /** Where a `migrate` put the shard, until the next `bind` (null: on the active endpoint). */
  private shard: Endpoint | null = null;
  private topology: Topology = givenUpstream({ host: '127.0.0.1', port: 0 });
  private target: HostPort = { host: '127.0.0.1', port: 0 };
  private readonly open = new Map<string, ProxyConnection>();
  private readonly windows = new Set<NoticeWindow>();
  private readonly latencies = new Map<string, { ms: number; token: object }>();
  private readonly holds = new Set<string>();
  private readonly aborter = new AbortController();
  private readonly runner: ActionRunner;
  private httpApi: HttpApi | null = null;
  private databases: DatabaseRegistry | null = null;
  private seq = 0;
  private notificationsOn = true;
  private connectionCount = 0;
  private closing: Promise<void> | null = null;
  private readonly hooks: ConnectionHooks = {
    optedIn: (connection) => this.onOptedIn(connection),
    sent: (connection, frame) =>
      this.emit({ type: 'frame.sent', connectionId: connection.id, endpoint: connection.endpoint, ...frame }),
    closed: (connection, reason) => {
      this.open.delete(connection.id);
      for (const endpoint of this.addressList) endpoint.connections.delete(connection);
      this.emit({ type: 'connection.closed', connectionId: connection.id, endpoint: connection.endpoint, reason, at: Date.now() });
    },
    notificationsEnabled: () => this.notificationsOn,
  };

  constructor(private readonly options: MaintSimulatorOptions) {
    const count = options.endpoints ?? 2;
    const hooks = {
      accept: (endpoint: Endpoint, socket: Socket) => this.accept(endpoint, socket),
      state: (endpoint: Endpoint) => this.emit({ type: 'endpoint.state', endpoint: endpoint.address, state: endpoint.state, at: Date.now() }),
    };
    // `tls: true` was replaced by the certificate made for it (index.ts).
    const tls = options.tls as SimulatorTlsOptions | readonly SimulatorTlsOptions[] | undefined;
    // One entry per node; the database endpoint (after the nodes) presents the first node's.
    const tlsOf = (index: number) => (tls === undefined ? undefined : Array.isArray(tls) ? (tls[index] ?? tls[0]) : (tls as SimulatorTlsOptions));
    const ca = tls === undefined ? undefined : (Array.isArray(tls) ? tls : [tls as SimulatorTlsOptions]).find((entry) => entry.ca !== undefined)?.ca;
    this.tls = tls !== undefined;
    this.tlsCa = ca === undefined ? null : ca.toString();
    this.addressList = planHosts(options).map((hosts, index) => new Endpoint(index, options.ports?.[index] ?? 0, hooks, hosts, tlsOf(index)));
    this.endpointList = this.addressList.slice(0, count);
    this.database = this.addressList[count] ?? null;
    this.active = this.endpointList[0] as Endpoint;
    if (this.database !== null) this.database.leadsTo = this.active;
    this.runner = new ActionRunner((actionId, type) => this.contextFor(actionId, type), (event) => this.emit(event));
  }

  async init(): Promise<void> {
    this.topology = this.options.upstream
      ? givenUpstream({ host: this.options.upstream.host, port: this.options.upstream.port })
      : await spawnTopology(this.options.redisServer, this.aborter.signal);
    this.target = this.topology.current();
    for (const endpoint of this.addressList) await endpoint.open();
    if (this.options.apiPort !== undefined) {
      this.databases = standaloneRegistry(this, this.options, (event) => this.emit(event as unknown as SimulatorEvent));
      this.httpApi = await startHttpApi(this, this.options.apiPort, withDatabases(this.databases, routeStandaloneRequest));
    }
  }

  get endpoints(): readonly string[] {
    return this.endpointList.map((endpoint) => endpoint.address);
  }

  get activeEndpoint(): string {
    return this.active.address;
  }

  get databaseEndpoint(): string | null {
    return this.database?.address ?? null;
  }

  get upstream(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  get api(): string | null {
    return this.httpApi?.url ?? null;
  }

  private begin(request: ActionRequest): { actionId: string; done: Promise<ActionResult> } {
    if (this.closing) throw new Error('the simulator is closed');
    const plan = planAction(request.type, request.parameters, this.endpoints, this.options.actionDefaults);
    return this.runner.start(request, plan);
  }

  run(request: ActionRequest): Promise<ActionResult> {
    try {
      return this.begin(request).done;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  start(request: ActionRequest): string {
    return this.begin(request).actionId;
  }

  action(actionId: string): ActionStatus | undefined {
    return this.runner.status(actionId);
  }

  actions(): ActionStatus[] {
    return this.runner.list();
  }

  inject(frame: Uint8Array | string, options: InjectOptions = {}): string[] {
    const bytes = typeof frame === 'string' ? Buffer.from(frame) : Buffer.from(frame);
    checkWholeFrames(bytes);
    let targets = [...this.open.values()];
    if (options.connectionId !== undefined) {
      const connection = this.open.get(options.connectionId);
      if (connection === undefined) throw new RangeError(`no open connection ${options.connectionId}`);
      targets = [connection];
    }
    for (const connection of targets) connection.send(bytes, { frameType: 'raw', seq: null, actionId: null });
    return targets.map((connection) => connection.id);
  }

  connections(): ConnectionInfo[] {
    return [...this.open.values()].map((connection) => connection.info());
  }

  /** The open connections themselves (the cluster mode's actions notify them from outside). */
  liveConnections(): ProxyConnection[] {
    return [...this.open.values()].filter((connection) => !connection.closed);
  }

  /** Opens a notice window from outside an action (the cluster mode's); returns its closing. */
  openWindow(window: NoticeWindow): () => void {
    this.windows.add(window);
    return () => this.windows.delete(window);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.aborter.abort();
    await this.httpApi?.close();
    for (const endpoint of this.addressList) {
      endpoint.stopListening('retired');
      endpoint.cutAll('simulator closed');
    }
    await this.runner.settle();
    await this.databases?.close();
    await this.topology.close();
    this.subject.complete();
  }

  private emit(event: SimulatorEvent): void {
    if (!this.subject.closed) this.subject.next(event);
  }

  private accept(endpoint: Endpoint, socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const id = `c${++this.connectionCount}`;
    const holds = [...this.holds, ...endpoint.holds];
    const connection = new ProxyConnection(id, endpoint.address, socket, this.target, holds, this.latency(), this.hooks);
    connection.node = endpoint.leadsTo.address;
    this.open.set(id, connection);
    endpoint.connections.add(connection);
    this.emit({ type: 'connection.opened', connectionId: id, endpoint: endpoint.address, remote: connection.remote, at: Date.now() });
  }

  private onOptedIn(connection: ProxyConnection): void {
    this.emit({
      type: 'connection.optedIn',
      connectionId: connection.id,
      endpoint: connection.endpoint,
      endpointType: connection.endpointType,
      at: Date.now(),
    });
    if (connection.endpointType === null) return;
    for (const window of this.windows) if (window.applies(connection)) window.notice(connection);
  }

  private latency(): number {
    let ms = 0;
    for (const source of this.latencies.values()) ms = Math.max(ms, source.ms);
    return ms;
  }

  private applyLatency(): void {
    const ms = this.latency();
    for (const connection of this.open.values()) connection.setDelay(ms);
  }

  private contextFor(actionId: string, type: ActionType): ActionContext {
    const signal = this.aborter.signal;
    return {
      actionId,
      signal,
      endpoints: this.endpointList,
      addresses: this.addressList,
      topology: this.topology,
      activeEndpoint: () => this.active,
      setActiveEndpoint: (endpoint) => {
        this.active = endpoint;
      },
      shardEndpoint: () => this.shard ?? this.active,
      setShardEndpoint: (endpoint) => {
        this.shard = endpoint;
      },
      connections: (endpoint) => [...(endpoint?.connections ?? this.open.values())].filter((c) => !c.closed),
      connection: (id) => this.open.get(id),
      nextSeq: () => ++this.seq,
      step: (step, detail) => this.emit({ type: 'action.step', actionId, action: type, step, ...(detail ? { detail } : {}), at: Date.now() }),
      sleep: (seconds) => delay(seconds * 1000, signal),
      openWindow: (window) => this.openWindow(window),
      addLatency: (source, ms) => {
        const token = {};
        this.latencies.set(source, { ms, token });
        this.applyLatency();
        return () => {
          if (this.latencies.get(source)?.token !== token) return;
          this.latencies.delete(source);
          this.applyLatency();
        };
      },
      holdAll: (reason) => {
        this.holds.add(reason);
        for (const connection of this.open.values()) connection.hold(reason);
        return () => {
          this.holds.delete(reason);
          for (const connection of this.open.values()) connection.release(reason);
        };
      },
      notificationsEnabled: () => this.notificationsOn,
      setNotificationsEnabled: (enabled) => {
        this.notificationsOn = enabled;
      },
      moveUpstream: (target) => {
        this.target = target;
        return Promise.all([...this.open.values()].map((connection) => connection.moveUpstream(target))).then(() => undefined);
      },
    };
  }
}
