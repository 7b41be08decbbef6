/**
 * The endpoints file the official clients' scenario suites read (`REDIS_ENDPOINTS_CONFIG_PATH`):
 * `{name: {bdb_id, username, password, tls, raw_endpoints: [...], endpoints: [...]}}`, naming the
 * address clients should be configured with — the database endpoint when there is one, else the
 * first endpoint. node-redis connects to `raw_endpoints[0].dns_name:port`, redis-py and go-redis
 * to `endpoints[0]`. In TLS mode it says `tls: true` and `rediss://`; the certificate names every
 * address, so a client that trusts `sim.tlsCa` (the CLI writes it to a file) verifies it.
 *
 * A cluster database (the cluster mode, {@link clusterEndpointsConfig}) is an OSS-cluster-API one:
 * `raw_endpoints[0]` is the first node (a seed; `proxy_policy: "all-master-shards"`), and
 * `endpoints` names every node, primaries first — go-redis builds a cluster client when there is
 * more than one, redis-py and node-redis seed theirs with the first.
 */
import { writeFile } from 'node:fs/promises';
import type { MaintClusterSimulator } from './cluster/types.js';
import type { MaintSimulator } from './types.js';

/** Options of `endpointsConfig` / `writeEndpointsFile`: what the endpoints file says about the database. */
export interface EndpointsFileOptions {
  /** The database's name (the file's key); default 'standalone' ('cluster' for a cluster database). */
  name?: string;
  /** The bdb_id the suites send back in their actions (accepted and ignored); default 1. */
  bdbId?: number;
}

function split(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

function entry(bdbId: number, tls: boolean, addresses: readonly string[], proxyPolicy: string): Record<string, unknown> {
  const { host, port } = split(addresses[0] as string);
  return {
    bdb_id: bdbId,
    username: 'default',
    password: '',
    tls,
    raw_endpoints: [
      {
        addr: [host],
        addr_type: 'external',
        dns_name: host,
        oss_cluster_api_preferred_endpoint_type: 'ip',
        oss_cluster_api_preferred_ip_type: 'external',
        port,
        proxy_policy: proxyPolicy,
        uid: `${bdbId}:1`,
      },
    ],
    endpoints: addresses.map((address) => `${tls ? 'rediss' : 'redis'}://${address}`),
  };
}

/** The file's content for a running simulator. */
export function endpointsConfig(sim: MaintSimulator, options: EndpointsFileOptions = {}): Record<string, unknown> {
  return { [options.name ?? 'standalone']: entry(options.bdbId ?? 1, sim.tls, [sim.databaseEndpoint ?? (sim.endpoints[0] as string)], 'single') };
}

/** The file's content for a cluster simulator: its nodes' endpoints now, primaries first. */
export function clusterEndpointsConfig(sim: MaintClusterSimulator, options: EndpointsFileOptions = {}): Record<string, unknown> {
  return { [options.name ?? 'cluster']: entry(options.bdbId ?? 1, false, sim.endpoints, 'all-master-shards') };
}

/** Writes the endpoints file (JSON) for a running simulator (standalone or cluster). */
export async function writeEndpointsFile(sim: MaintSimulator | MaintClusterSimulator, path: string, options: EndpointsFileOptions = {}): Promise<void> {
  await writeEndpointsJson(path, 'nodes' in sim ? clusterEndpointsConfig(sim, options) : endpointsConfig(sim, options));
}

/** Writes endpoints-file content (`{name: entry, …}`) as JSON. */
export async function writeEndpointsJson(path: string, content: Record<string, unknown>): Promise<void> {
  await writeFile(path, `${JSON.stringify(content, null, 2)}\n`);
}
