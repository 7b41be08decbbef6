/**
 * The endpoints file the official clients' scenario suites read (`REDIS_ENDPOINTS_CONFIG_PATH`):
 * `{name: {bdb_id, username, password, tls, raw_endpoints: [...], endpoints: [...]}}`, naming the
 * address clients should be configured with — the database endpoint when there is one, else the
 * first endpoint. node-redis connects to `raw_endpoints[0].dns_name:port`, redis-py and go-redis
 * to `endpoints[0]`. In TLS mode it says `tls: true` and `rediss://`; the certificate names every
 * address, so a client that trusts `sim.tlsCa` (the CLI writes it to a file) verifies it.
 */
import { writeFile } from 'node:fs/promises';
import type { MaintSimulator } from './types.js';

/** Options of `endpointsConfig` / `writeEndpointsFile`: what the endpoints file says about the database. */
export interface EndpointsFileOptions {
  /** The database's name (the file's key); default 'standalone'. */
  name?: string;
  /** The bdb_id the suites send back in their actions (accepted and ignored); default 1. */
  bdbId?: number;
}

function split(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/** The file's content for a running simulator. */
export function endpointsConfig(sim: MaintSimulator, options: EndpointsFileOptions = {}): Record<string, unknown> {
  const { host, port } = split(sim.databaseEndpoint ?? (sim.endpoints[0] as string));
  const bdbId = options.bdbId ?? 1;
  return {
    [options.name ?? 'standalone']: {
      bdb_id: bdbId,
      username: 'default',
      password: '',
      tls: sim.tls,
      raw_endpoints: [
        {
          addr: [host],
          addr_type: 'external',
          dns_name: host,
          oss_cluster_api_preferred_endpoint_type: 'ip',
          oss_cluster_api_preferred_ip_type: 'external',
          port,
          proxy_policy: 'single',
          uid: `${bdbId}:1`,
        },
      ],
      endpoints: [`${sim.tls ? 'rediss' : 'redis'}://${host}:${port}`],
    },
  };
}

/** Writes the endpoints file (JSON) for a running simulator. */
export async function writeEndpointsFile(sim: MaintSimulator, path: string, options: EndpointsFileOptions = {}): Promise<void> {
  await writeFile(path, `${JSON.stringify(endpointsConfig(sim, options), null, 2)}\n`);
}
