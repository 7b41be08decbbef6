import { spawnCluster, type SpawnClusterOptions, type SpawnedCluster, type SpawnedClusterNode } from '../../src/simulator/cluster/spawn-cluster.js';

export type { SpawnedCluster as LocalCluster, SpawnedClusterNode as LocalClusterNode };

/**
 * Starts a plain local Redis Cluster (real redis-server processes, free loopback ports, nothing on
 * disk) of `primaries` primaries and `replicasPerPrimary` replicas each; stop() it in teardown.
 * Start one per test file: it takes about a second.
 */
export function startCluster(options: SpawnClusterOptions = { primaries: 3 }): Promise<SpawnedCluster> {
  return spawnCluster(options);
}
