/**
 * Spawns what a `create_database` asks for, with what it inherits from the simulator that
 * serves the API: a standalone database as `--spawn` (the simulator's hosts, database endpoint,
 * TLS certificate and action defaults when it is standalone itself; the contract's defaults —
 * distinct hosts, a database endpoint — otherwise), a cluster database as the cluster mode
 * (the cluster's action defaults when it is one itself).
 */
import { clusterEndpointsConfig, endpointsConfig } from '../endpoints-file.js';
import type { MaintClusterSimulatorOptions } from '../cluster/types.js';
import type { MaintSimulatorOptions } from '../types.js';
import type { DatabaseSpec } from './database-config.js';

/** A database's actions and servers, as the registry drives them (a standalone or a cluster simulator). */
export interface DatabaseTarget {
  start(request: { type: unknown; parameters?: unknown }): string;
  action(actionId: string): { actionId: string; type: string; status: string; error?: string; output?: Record<string, unknown> } | undefined;
  run(request: { type: unknown; parameters?: unknown }): Promise<{ output: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** A running database: its target and its endpoints-file entry now. */
export interface SpawnedDatabase {
  target: DatabaseTarget;
  entry(bdbId: number, name: string): Record<string, unknown>;
}

/** What created databases take over from the simulator serving the API. */
export interface Inherited {
  standalone: Pick<MaintSimulatorOptions, 'hosts' | 'internalHosts' | 'databaseEndpoint' | 'actionDefaults' | 'redisServer' | 'tls'>;
  cluster: Pick<MaintClusterSimulatorOptions, 'actionDefaults' | 'redisServer' | 'nodeTimeoutMs'>;
}

export async function spawnDatabase(spec: DatabaseSpec, inherited: Inherited): Promise<SpawnedDatabase> {
  // Imported here: index.ts imports the simulators, which own a registry.
  const { createMaintSimulator } = await import('../index.js');
  if (spec.kind === 'cluster') {
    const sim = await createMaintSimulator({ cluster: { ...inherited.cluster, primaries: spec.shards, replicasPerPrimary: spec.replication ? 1 : 0, spares: 1 } });
    return { target: sim as unknown as DatabaseTarget, entry: (bdbId, name) => clusterEndpointsConfig(sim, { bdbId, name })[name] as Record<string, unknown> };
  }
  const sim = await createMaintSimulator({ ...inherited.standalone, spawn: true, endpoints: 2 });
  return { target: sim as unknown as DatabaseTarget, entry: (bdbId, name) => endpointsConfig(sim, { bdbId, name })[name] as Record<string, unknown> };
}
