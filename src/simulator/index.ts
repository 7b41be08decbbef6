/**
 * `hitless/simulator`: a maintenance simulator. A proxy on 127.0.0.1 in front of real
 * redis-server processes that speaks the maintenance notifications of managed Redis
 * (MOVING, MIGRATING/MIGRATED, FAILING_OVER/FAILED_OVER), so handoffs can be rehearsed locally.
 *
 *   const sim = await createMaintSimulator({ spawn: true, endpoints: 2 });
 *   // point a client at sim.endpoints[0], then:
 *   await sim.run({ type: 'bind', parameters: { time_s: 5 } });
 *   await sim.close();
 */
import { ConfigError } from '../errors.js';
import { ACTION_TYPES, isActionType } from './actions/index.js';
import { LOOPBACK } from './endpoint.js';
import { addressCount, planHosts, validateHosts } from './hosts.js';
import { makePki } from './tls-pki.js';
import { validateDatabasesOptions } from './databases/options.js';
import { Simulator } from './simulator.js';
import { createClusterSimulator, type MaintClusterSimulator, type MaintClusterSimulatorOptions } from './cluster/cluster-simulator.js';
import type { MaintSimulator, MaintSimulatorOptions } from './types.js';

export type {
  ActionRequest,
  ActionResult,
  ActionState,
  ActionStatus,
  ActionType,
  BindParameters,
  ClusterConfigParameters,
  BlackholeParameters,
  ConnectionInfo,
  CutParameters,
  DmcRestartParameters,
  EndpointState,
  EndpointType,
  FailoverParameters,
  HostPort,
  InjectOptions,
  LatencyParameters,
  MaintSimulator,
  MaintSimulatorOptions,
  MigrateParameters,
  NetworkFailureParameters,
  RladminParameters,
  SentFrame,
  SequenceParameters,
  SequenceStep,
  SimulatorTlsOptions,
  SimulatorEvent,
} from './types.js';
export { ENDPOINT_TYPES } from './types.js';
export { createClusterSimulator } from './cluster/cluster-simulator.js';
export type {
  MaintClusterSimulator,
  MaintClusterSimulatorOptions,
  ClusterSimulatorNode,
  ReshardParameters,
  ReshardResult,
  ClusterActionType,
  ClusterActionRequest,
  ClusterActionStatus,
  ClusterActionResult,
  ClusterBindParameters,
  ClusterBindResult,
  ClusterFailoverParameters,
  ClusterConnectionInfo,
  ClusterSimulatorEvent,
} from './cluster/types.js';
export type { SpawnedClusterNode } from './cluster/spawn-cluster.js';
export type { RedisProcess } from './redis-process.js';
export type { SlotList, SlotMoveText } from './cluster/frames.js';
export type { AdminValue } from './admin-client.js';
export { smigratingFrame, smigratedFrame, smigratedFlatFrame, smigratedPairsFrame } from './cluster/frames.js';
export { encodePush, formatEndpoint, movingFrame, movingFrameTo, migratingFrame, migratedFrame, failingOverFrame, failedOverFrame } from './push-frames.js';
export type { PushElement } from './push-frames.js';
export { clusterEndpointsConfig, endpointsConfig, writeEndpointsFile } from './endpoints-file.js';
export type { SimulatorDatabasesOptions } from './databases/options.js';
export type { EndpointsFileOptions } from './endpoints-file.js';

function isPort(value: unknown, allowZero: boolean): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= (allowZero ? 0 : 1) && value <= 65_535;
}

function validate(options: MaintSimulatorOptions): void {
  const { upstream, spawn, endpoints, ports, apiPort, redisServer, actionDefaults, tls } = options;
  if (actionDefaults !== undefined) {
    if (typeof actionDefaults !== 'object' || actionDefaults === null || Array.isArray(actionDefaults)) throw new ConfigError('actionDefaults', actionDefaults, 'an object {actionType: {parameter: value}}');
    for (const [type, defaults] of Object.entries(actionDefaults)) {
      if (!isActionType(type)) throw new ConfigError(`actionDefaults.${type}`, defaults, `an action type: ${ACTION_TYPES.join(', ')}`);
      if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) throw new ConfigError(`actionDefaults.${type}`, defaults, 'an object of parameters');
    }
  }
  if (spawn !== undefined && typeof spawn !== 'boolean') throw new ConfigError('spawn', spawn, 'true or false');
  if (upstream !== undefined) {
    if (typeof upstream !== 'object' || upstream === null || typeof upstream.host !== 'string' || upstream.host === '' || !isPort(upstream.port, false)) {
      throw new ConfigError('upstream', upstream, '{ host: string, port: 1..65535 }');
    }
  }
  if ((upstream === undefined) === (spawn !== true)) {
    throw new ConfigError('upstream', upstream, 'give exactly one of upstream (a server to front) or spawn: true');
  }
  if (endpoints !== undefined && (!Number.isInteger(endpoints) || endpoints < 1 || endpoints > 64)) {
    throw new ConfigError('endpoints', endpoints, 'an integer from 1 to 64');
  }
  validateHosts(options);
  if (ports !== undefined) {
    if (!Array.isArray(ports) || ports.length !== addressCount(options) || !ports.every((port) => isPort(port, true))) {
      throw new ConfigError('ports', ports, `one port (0..65535) per endpoint (${addressCount(options)}, the database endpoint's last)`);
    }
  }
  if (tls !== undefined && tls !== true) {
    const each = Array.isArray(tls) ? tls : [tls];
    const pem = (value: unknown) => (typeof value === 'string' && value !== '') || Buffer.isBuffer(value);
    if ((Array.isArray(tls) && tls.length !== (endpoints ?? 2)) || !each.every((entry) => typeof entry === 'object' && entry !== null && pem(entry.cert) && pem(entry.key))) {
      throw new ConfigError('tls', Array.isArray(tls) ? `${tls.length} entries` : typeof tls, `true, { cert, key, ca? } (PEM), or one such entry per endpoint (${endpoints ?? 2})`);
    }
  }
  if (apiPort !== undefined && !isPort(apiPort, true)) throw new ConfigError('apiPort', apiPort, 'a port from 0 to 65535');
  validateDatabasesOptions(options.databases, 'databases');
  if (redisServer !== undefined && (typeof redisServer !== 'string' || redisServer === '')) {
    throw new ConfigError('redisServer', redisServer, 'a path or command name');
  }
}

/**
 * Starts a simulator: spawns servers if asked, opens the endpoints (and the HTTP API when `apiPort` is given).
 * With `{ cluster: { primaries, replicasPerPrimary } }`: the cluster mode (see cluster/cluster-simulator.ts).
 */
export function createMaintSimulator(options: { cluster: MaintClusterSimulatorOptions }): Promise<MaintClusterSimulator>;
export function createMaintSimulator(options?: MaintSimulatorOptions): Promise<MaintSimulator>;
export async function createMaintSimulator(options: MaintSimulatorOptions | { cluster: MaintClusterSimulatorOptions } = {}): Promise<MaintSimulator | MaintClusterSimulator> {
  if (typeof options === 'object' && options !== null && 'cluster' in options) return createClusterSimulator(clusterOptions(options.cluster));
  return createStandaloneSimulator(options as MaintSimulatorOptions);
}

function clusterOptions(value: unknown): MaintClusterSimulatorOptions {
  if (typeof value !== 'object' || value === null) throw new ConfigError('cluster', value, '{ primaries, replicasPerPrimary? }');
  const { primaries, replicasPerPrimary, spares, apiPort, actionDefaults } = value as Record<string, unknown>;
  if (!Number.isInteger(primaries) || (primaries as number) < 1 || (primaries as number) > 16) throw new ConfigError('cluster.primaries', primaries, 'an integer from 1 to 16');
  if (replicasPerPrimary !== undefined && (!Number.isInteger(replicasPerPrimary) || (replicasPerPrimary as number) < 0 || (replicasPerPrimary as number) > 4)) {
    throw new ConfigError('cluster.replicasPerPrimary', replicasPerPrimary, 'an integer from 0 to 4');
  }
  if (spares !== undefined && (!Number.isInteger(spares) || (spares as number) < 0 || (spares as number) > 4)) throw new ConfigError('cluster.spares', spares, 'an integer from 0 to 4');
  if (apiPort !== undefined && !isPort(apiPort, true)) throw new ConfigError('cluster.apiPort', apiPort, 'a port from 0 to 65535');
  validateDatabasesOptions((value as Record<string, unknown>)['databases'], 'cluster.databases');
  if (actionDefaults !== undefined && (typeof actionDefaults !== 'object' || actionDefaults === null || Array.isArray(actionDefaults))) {
    throw new ConfigError('cluster.actionDefaults', actionDefaults, 'an object {actionType: {parameter: value}}');
  }
  return value as MaintClusterSimulatorOptions;
}

async function createStandaloneSimulator(options: MaintSimulatorOptions): Promise<MaintSimulator> {
  validate(options);
  if (options.tls === true) {
    const hosts = planHosts(options).flatMap((endpoint) => [endpoint.external, endpoint.internal, endpoint.name]);
    options = { ...options, tls: await makePki(['localhost', LOOPBACK, ...hosts]) };
  }
  const simulator = new Simulator(options);
  try {
    await simulator.init();
  } catch (error) {
    await simulator.close();
    throw error;
  }
  return simulator;
}
