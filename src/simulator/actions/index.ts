/**
 * Actions: the contract every action implements (validate parameters up front, then run against
 * an {@link ActionContext}) and the registry of action types. Unknown types are rejected with a
 * ConfigError.
 */
import { ConfigError } from '../../errors.js';
import type { Endpoint } from '../endpoint.js';
import type { ProxyConnection } from '../proxy-connection.js';
import type { Topology } from '../topology.js';
import type { ActionType, HostPort } from '../types.js';
import { bindAction } from './bind.js';
import { failoverAction } from './failover.js';
import { blackholeAction, cutAction, latencyAction } from './faults.js';
import { clusterConfigAction } from './cluster-config.js';
import { migrateAction } from './migrate.js';
import { dmcRestartAction, networkFailureAction } from './interruptions.js';
import { rladminAction } from './rladmin.js';
import { rlutilAction } from './rlutil.js';
import { sequenceAction } from './sequence.js';
import { topologyChangeAction } from './topology-change.js';

/** While open, a connection that opts in and `applies` is told `notice` (e.g. MOVING with the time left). */
export interface NoticeWindow {
  applies(connection: ProxyConnection): boolean;
  notice(connection: ProxyConnection): void;
}

export interface ActionContext {
  readonly actionId: string;
  /** Aborts when the simulator closes. */
  readonly signal: AbortSignal;
  /** The nodes: the endpoints a bind may move the database to. */
  readonly endpoints: readonly Endpoint[];
  /** Every listening address: the nodes and, when there is one, the database's own address. */
  readonly addresses: readonly Endpoint[];
  readonly topology: Topology;
  activeEndpoint(): Endpoint;
  setActiveEndpoint(endpoint: Endpoint): void;
  /** The node the database's shard is on: the active one, unless a `migrate` moved it (null: back with the active one). */
  shardEndpoint(): Endpoint;
  setShardEndpoint(endpoint: Endpoint | null): void;
  /** Open connections, optionally only those on one endpoint. */
  connections(endpoint?: Endpoint): ProxyConnection[];
  connection(id: string): ProxyConnection | undefined;
  /** The next notification sequence number. */
  nextSeq(): number;
  /** Reports a step (event `action.step` and a line in the CLI log). */
  step(step: string, detail?: Record<string, unknown>): void;
  /** Waits; rejects when the simulator closes. */
  sleep(seconds: number): Promise<void>;
  openWindow(window: NoticeWindow): () => void;
  /** Adds reply latency from a named source (the largest source wins); returns its removal. */
  addLatency(source: string, ms: number): () => void;
  /** Holds requests on every connection, including ones opened later; returns the release. */
  holdAll(reason: string): () => void;
  /** Moves every connection; resolves once each has its state (subscriptions included) confirmed by the new server. */
  moveUpstream(target: HostPort): Promise<void>;
  /** The server-side switch of maintenance notifications (`update_cluster_config`). */
  notificationsEnabled(): boolean;
  setNotificationsEnabled(enabled: boolean): void;
}

export interface ActionEnvironment {
  /** The simulator's endpoints as `host:port`. */
  readonly endpoints: readonly string[];
  /** Validates another action (for sequences); the simulator's per-type defaults apply. */
  plan(type: unknown, parameters: unknown): ActionPlan;
}

/** A validated action, ready to run; resolves with its output. */
export type ActionPlan = (ctx: ActionContext) => Promise<Record<string, unknown>>;

export interface ActionDefinition {
  /** Validates the parameters (throws a ConfigError naming the bad one) and returns the plan. */
  parse(raw: unknown, env: ActionEnvironment): ActionPlan;
}

const ACTIONS: Record<ActionType, ActionDefinition> = {
  bind: bindAction,
  moving: bindAction,
  migrate: migrateAction,
  failover: failoverAction,
  latency: latencyAction,
  cut: cutAction,
  sequence_of_actions: sequenceAction,
  update_cluster_config: clusterConfigAction,
  execute_rladmin_command: rladminAction,
  blackhole: blackholeAction,
  dmc_restart: dmcRestartAction,
  network_failure: networkFailureAction,
  execute_rlutil_command: rlutilAction,
  reshard: migrateAction,
  topology_change_standalone: topologyChangeAction,
};

export const ACTION_TYPES = Object.keys(ACTIONS) as ActionType[];

export function isActionType(type: unknown): type is ActionType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(ACTIONS, type);
}

/** Per-type default parameters (`MaintSimulatorOptions.actionDefaults`), under what a request gives. */
export type ActionDefaults = Partial<Record<ActionType, Record<string, unknown>>>;

/** Validates an action request and returns its plan. */
export function planAction(type: unknown, parameters: unknown, endpoints: readonly string[], defaults: ActionDefaults = {}): ActionPlan {
  if (!isActionType(type)) throw new ConfigError('type', type, `an action type: ${ACTION_TYPES.join(', ')}`);
  const preset = defaults[type];
  const merged = preset !== undefined && typeof parameters === 'object' && parameters !== null && !Array.isArray(parameters) ? { ...preset, ...parameters } : parameters ?? preset;
  return ACTIONS[type].parse(merged, { endpoints, plan: (subType, subParameters) => planAction(subType, subParameters, endpoints, defaults) });
}

