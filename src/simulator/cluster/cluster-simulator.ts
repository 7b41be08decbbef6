/**
 * The simulator's cluster mode: a spawned local Redis Cluster whose every node is fronted by a
 * simulator (two proxy endpoints) behind a front door that the node announces
 * (`cluster-announce-ip/port`; the door sends replication connections straight to the server),
 * so CLUSTER SHARDS/SLOTS, MOVED and ASK name the doors. Actions drive real OSS cluster
 * operations and send the maintenance notifications of managed Redis around them: reshard.ts,
 * failover.ts, bind.ts, slot-migrate.ts (the fault-injector contract's effects), node kill; by
 * request (actions.ts) and over HTTP (http-routes.ts).
 */
import type { Observable } from 'rxjs';
import { Subject } from '../../rx.js';
import { AdminClient, type AdminValue } from '../admin-client.js';
import { ActionRunner, type ActionEvent } from '../action-runner.js';
import { startHttpApi, type HttpApi } from '../http-api.js';
import { clusterRegistry } from '../databases/attach.js';
import { withDatabases } from '../databases/http-route.js';
import type { DatabaseRegistry } from '../databases/registry.js';
import { Simulator } from '../simulator.js';
import { planClusterAction } from './actions.js';
import { bind } from './bind.js';
import { ClusterNode, hostPort, type ClusterCore } from './core.js';
import { failover } from './failover.js';
import { openFrontDoor, type FrontDoor } from './front-door.js';
import { routeClusterRequest } from './http-routes.js';
import { reshard } from './reshard.js';
import { spawnCluster, type SpawnedCluster } from './spawn-cluster.js';
import type {
  ClusterActionRequest,
  ClusterActionResult,
  ClusterActionStatus,
  ClusterActionType,
  ClusterBindParameters,
  ClusterBindResult,
  ClusterConnectionInfo,
  ClusterFailoverParameters,
  ClusterSimulatorEvent,
  MaintClusterSimulator,
  MaintClusterSimulatorOptions,
  ReshardParameters,
  ReshardResult,
} from './types.js';

export type { MaintClusterSimulator, MaintClusterSimulatorOptions, ClusterSimulatorNode, ReshardParameters, ReshardResult } from './types.js';

/** Spawns a local cluster, fronts every node with a proxy it announces, and waits until the map names the proxies. */
export async function createClusterSimulator(options: MaintClusterSimulatorOptions): Promise<MaintClusterSimulator> {
  const spawned = await spawnCluster({
    primaries: options.primaries,
    replicasPerPrimary: options.replicasPerPrimary ?? 0,
    spares: options.spares ?? 0,
    nodeTimeoutMs: options.nodeTimeoutMs ?? 1000,
    ...(options.redisServer === undefined ? {} : { binary: options.redisServer }),
  });
  const simulators: Simulator[] = [];
  const doors: FrontDoor[] = [];
  let sim: ClusterSimulator | undefined;
  try {
    const nodes: ClusterNode[] = [];
    for (const server of spawned.nodes) {
      // Two proxy endpoints: a bind moves the node's address from one to the other.
      const simulator = new Simulator({ upstream: { host: server.host, port: server.port }, endpoints: 2 });
      simulators.push(simulator);
      await simulator.init();
      const door = await openFrontDoor(() => hostPort(simulator.endpoints[0] as string), { host: server.host, port: server.port });
      doors.push(door);
      await spawned.command(server, 'CONFIG', 'SET', 'cluster-announce-ip', '127.0.0.1');
      // The bus port stays the server's own: only clients go through the proxy.
      await spawned.command(server, 'CONFIG', 'SET', 'cluster-announce-bus-port', String(server.port + 10000));
      await spawned.command(server, 'CONFIG', 'SET', 'cluster-announce-port', String(door.port));
      nodes.push(new ClusterNode(server.index, server.id, server, simulator, door, 0));
    }
    await announced(spawned, nodes);
    sim = new ClusterSimulator(spawned, nodes, doors, options);
    if (options.apiPort !== undefined) await sim.listen(options.apiPort);
    return sim;
  } catch (error) {
    if (sim !== undefined) await sim.close();
    await Promise.all(doors.map((door) => door.close()));
    await Promise.all(simulators.map((simulator) => simulator.close()));
    await spawned.stop();
    throw error;
  }
}

/** Waits until every node's CLUSTER NODES names only the doors. */
async function announced(spawned: SpawnedCluster, nodes: readonly ClusterNode[]): Promise<void> {
  const doors = new Set(nodes.map((node) => `${node.endpoint}@`));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const views = await Promise.all(spawned.nodes.map((node) => spawned.command(node, 'CLUSTER', 'NODES')));
    const addresses = views.flatMap((text) => String(text).split('\n').filter((line) => line !== '').map((line) => line.split(' ')[1] ?? ''));
    if (addresses.length > 0 && addresses.every((address) => [...doors].some((door) => address.startsWith(door)))) return;
    if (Date.now() > deadline) throw new Error('cluster simulator: the nodes did not announce their proxies in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

class ClusterSimulator implements MaintClusterSimulator {
  private readonly subject = new Subject<ClusterSimulatorEvent>();
  readonly events$: Observable<ClusterSimulatorEvent> = this.subject.asObservable();
  private readonly aborter = new AbortController();
  private readonly runner: ActionRunner<ClusterCore, ClusterActionType>;
  private httpApi: HttpApi | null = null;
  private databases: DatabaseRegistry | null = null;
  private seq = 0;
  private closing: Promise<void> | null = null;
  /** One admin connection per node, kept for the simulator's life (a reshard sends thousands of commands). */
  private readonly admins = new Map<ClusterNode, Promise<AdminClient>>();

  constructor(
    private readonly spawned: SpawnedCluster,
    readonly nodes: readonly ClusterNode[],
    private readonly doors: FrontDoor[],
    private readonly options: MaintClusterSimulatorOptions,
  ) {
    for (const node of nodes) node.simulator.events$.subscribe((event) => this.emit({ ...event, node: node.endpoint }));
    this.runner = new ActionRunner<ClusterCore, ClusterActionType>(
      (actionId, type) => this.core((step, detail) => this.emit({ type: 'action.step', actionId, action: type, step, ...(detail ? { detail } : {}), at: Date.now() })),
      (event: ActionEvent<ClusterActionType>) => this.emit(event),
    );
  }

  get endpoints(): readonly string[] {
    return this.nodes.map((node) => node.endpoint);
  }

  get api(): string | null {
    return this.httpApi?.url ?? null;
  }

  async listen(port: number): Promise<void> {
    this.databases = clusterRegistry(this, this.options, (event) => this.emit(event as unknown as ClusterSimulatorEvent));
    this.httpApi = await startHttpApi(this, port, withDatabases(this.databases, routeClusterRequest));
  }

  async command(node: ClusterNode | MaintClusterSimulator['nodes'][number], ...args: string[]): Promise<AdminValue> {
    const own = this.nodes.find((candidate) => candidate === node || candidate.id === node.id) as ClusterNode;
    let admin = this.admins.get(own);
    if (admin === undefined) {
      admin = AdminClient.connect(own.server);
      this.admins.set(own, admin);
    }
    try {
      return await (await admin).command(...args);
    } catch (error) {
      // A broken admin connection (a node restarted) is opened again next time; a reply error is not.
      if (!(error instanceof Error) || /admin connection closed|ECONNREFUSED|ECONNRESET|EPIPE/.test(error.message)) this.admins.delete(own);
      throw error;
    }
  }

  async owners(): Promise<Array<ClusterNode | undefined>> {
    const owners = new Array<ClusterNode | undefined>(16384);
    const first = await this.live();
    const rows = (await this.command(first, 'CLUSTER', 'SLOTS')) as AdminValue[][];
    for (const row of rows) {
      const id = String((row[2] as AdminValue[])[2]);
      const node = this.nodes.find((candidate) => candidate.id === id);
      for (let slot = Number(row[0]); slot <= Number(row[1]); slot++) owners[slot] = node;
    }
    return owners;
  }

  reshard(parameters: ReshardParameters): Promise<ReshardResult> {
    return this.direct('reshard', { ...parameters }, (core) => reshard(core, parameters));
  }

  failover(parameters: ClusterFailoverParameters): Promise<{ promoted: string }> {
    return this.direct('failover', { ...parameters }, (core) => failover(core, parameters));
  }

  bind(parameters: ClusterBindParameters): Promise<ClusterBindResult> {
    return this.direct('bind', { ...parameters }, (core) => bind(core, parameters));
  }

  killNode(parameters: { node: number | string }): Promise<{ killed: string }> {
    return this.run({ type: 'node_kill', parameters: { node: parameters.node } }).then((result) => result.output as { killed: string });
  }

  run(request: ClusterActionRequest): Promise<ClusterActionResult> {
    try {
      return this.begin(request).done;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  start(request: ClusterActionRequest): string {
    return this.begin(request).actionId;
  }

  action(actionId: string): ClusterActionStatus | undefined {
    return this.runner.status(actionId);
  }

  actions(): ClusterActionStatus[] {
    return this.runner.list();
  }

  connections(): ClusterConnectionInfo[] {
    return this.nodes.flatMap((node) => node.simulator.connections().map((info) => ({ ...info, id: `n${node.index}.${info.id}`, node: node.endpoint, nodeIndex: node.index })));
  }

  inject(frame: Uint8Array, nodes: readonly MaintClusterSimulator['nodes'][number][] = this.nodes): void {
    for (const node of nodes) node.simulator.inject(frame);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.aborter.abort();
      await this.httpApi?.close();
      await this.databases?.close();
      for (const admin of this.admins.values()) void admin.then((client) => client.close(), () => undefined);
      await Promise.all(this.doors.map((door) => door.close()));
      await Promise.all(this.nodes.map((node) => node.simulator.close()));
      await this.spawned.stop();
      this.subject.complete();
    })();
    return this.closing;
  }

  private begin(request: ClusterActionRequest): { actionId: string; done: Promise<ClusterActionResult> } {
    if (this.closing) throw new Error('the simulator is closed');
    const plan = planClusterAction(request?.type, request?.parameters, this.core(() => {}), this.options.actionDefaults);
    return this.runner.start({ type: request.type, ...(request.parameters === undefined ? {} : { parameters: request.parameters }) }, plan);
  }

  /** A method call runs as an action too (its events and status), with typed parameters. */
  private direct<T>(type: ClusterActionType, parameters: Record<string, unknown>, plan: (core: ClusterCore) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the simulator is closed'));
    const { done } = this.runner.start({ type, parameters }, async (core) => (await plan(core)) as Record<string, unknown>);
    return done.then((result) => result.output as T);
  }

  private core(step: ClusterCore['step']): ClusterCore {
    return {
      nodes: this.nodes,
      spawned: this.spawned,
      signal: this.aborter.signal,
      command: (node, ...args) => this.command(node, ...args),
      nextSeq: () => ++this.seq,
      owners: () => this.owners(),
      node: (which) => this.node(which),
      keepDoor: (door) => void this.doors.push(door),
      step,
    };
  }

  private emit(event: ClusterSimulatorEvent): void {
    if (!this.subject.closed) this.subject.next(event);
  }

  private node(which: number | string): ClusterNode {
    const node = typeof which === 'number' ? this.nodes[which] : this.nodes.find((candidate) => candidate.endpoint === which || candidate.id === which);
    if (node === undefined) throw new RangeError(`cluster simulator: no node ${String(which)}`);
    return node;
  }

  private async live(): Promise<ClusterNode> {
    for (const node of this.nodes) {
      try {
        await this.command(node, 'PING');
        return node;
      } catch {
        // a stopped node
      }
    }
    throw new Error('cluster simulator: no node answers');
  }
}
