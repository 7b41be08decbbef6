/** A simulator's database registry, with what created databases inherit from it (spawn.ts). */
import type { MaintClusterSimulator, MaintClusterSimulatorOptions } from '../cluster/types.js';
import { clusterEndpointsConfig, endpointsConfig } from '../endpoints-file.js';
import type { MaintSimulator, MaintSimulatorOptions } from '../types.js';
import { DatabaseRegistry, type RegistryOptions } from './registry.js';
import type { DatabaseTarget, Inherited } from './spawn.js';

/** The contract's set-up for databases a cluster simulator creates: distinct hosts and a database endpoint, as the CLI's defaults. */
const CONTRACT_STANDALONE: Inherited['standalone'] = { hosts: 'distinct', databaseEndpoint: true };

export function standaloneRegistry(sim: MaintSimulator, options: MaintSimulatorOptions, emit: RegistryOptions['emit']): DatabaseRegistry {
  const { hosts, internalHosts, databaseEndpoint, actionDefaults, redisServer, tls } = options;
  const standalone: Inherited['standalone'] = { hosts: hosts ?? 'distinct', databaseEndpoint: databaseEndpoint ?? true };
  if (internalHosts !== undefined) standalone.internalHosts = internalHosts;
  if (actionDefaults !== undefined) standalone.actionDefaults = actionDefaults;
  if (redisServer !== undefined) standalone.redisServer = redisServer;
  if (tls !== undefined) standalone.tls = tls;
  return new DatabaseRegistry({
    main: { kind: 'standalone', target: sim as unknown as DatabaseTarget, entry: (bdbId, name) => endpointsConfig(sim, { bdbId, name })[name] as Record<string, unknown> },
    options: options.databases,
    inherited: { standalone, cluster: redisServer === undefined ? {} : { redisServer } },
    emit,
  });
}

export function clusterRegistry(sim: MaintClusterSimulator, options: MaintClusterSimulatorOptions, emit: RegistryOptions['emit']): DatabaseRegistry {
  const { actionDefaults, redisServer, nodeTimeoutMs } = options;
  const cluster: Inherited['cluster'] = {};
  if (actionDefaults !== undefined) cluster.actionDefaults = actionDefaults;
  if (redisServer !== undefined) cluster.redisServer = redisServer;
  if (nodeTimeoutMs !== undefined) cluster.nodeTimeoutMs = nodeTimeoutMs;
  return new DatabaseRegistry({
    main: { kind: 'cluster', target: sim as unknown as DatabaseTarget, entry: (bdbId, name) => clusterEndpointsConfig(sim, { bdbId, name })[name] as Record<string, unknown> },
    options: options.databases,
    inherited: { standalone: { ...CONTRACT_STANDALONE, ...(redisServer === undefined ? {} : { redisServer }) }, cluster },
    emit,
  });
}
