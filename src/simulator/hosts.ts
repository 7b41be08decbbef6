/**
 * Which loopback addresses the endpoints listen on (`MaintSimulatorOptions.hosts`):
 * - `'shared'` (default): every endpoint on 127.0.0.1, told apart by port only;
 * - `'distinct'`: endpoint i on 127.0.0.(2+i) (external form) and 127.1.0.(2+i) (internal form),
 *   so that a MOVING names another host; the database endpoint, when there is one, comes after
 *   the nodes;
 * - a list: one IPv4 loopback address per endpoint (nodes, then the database endpoint), with
 *   `internalHosts` for the internal forms (default: the same addresses).
 * Every endpoint also listens on 127.0.0.1 for the name form (`localhost:port`).
 */
import { ConfigError } from '../errors.js';
import { SHARED_HOSTS, type EndpointHosts } from './endpoint.js';
import type { MaintSimulatorOptions } from './types.js';

const LOOPBACK_V4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isLoopback(host: unknown): host is string {
  const match = typeof host === 'string' ? LOOPBACK_V4.exec(host) : null;
  return match !== null && match.slice(1).every((octet) => Number(octet) <= 255);
}

/** How many listening addresses the options ask for: the nodes and the database endpoint. */
export function addressCount(options: MaintSimulatorOptions): number {
  return (options.endpoints ?? 2) + (options.databaseEndpoint === true ? 1 : 0);
}

export function validateHosts(options: MaintSimulatorOptions): void {
  const { hosts, internalHosts, databaseEndpoint } = options;
  if (databaseEndpoint !== undefined && typeof databaseEndpoint !== 'boolean') throw new ConfigError('databaseEndpoint', databaseEndpoint, 'true or false');
  const count = addressCount(options);
  if (hosts !== undefined && hosts !== 'shared' && hosts !== 'distinct') {
    if (!Array.isArray(hosts) || hosts.length !== count || !hosts.every(isLoopback)) {
      throw new ConfigError('hosts', hosts, `'shared', 'distinct' or one IPv4 loopback address (127.x.y.z) per endpoint (${count})`);
    }
  }
  if (internalHosts !== undefined) {
    if (!Array.isArray(hosts)) throw new ConfigError('internalHosts', internalHosts, 'only with hosts given as a list');
    if (!Array.isArray(internalHosts) || internalHosts.length !== count || !internalHosts.every(isLoopback)) {
      throw new ConfigError('internalHosts', internalHosts, `one IPv4 loopback address (127.x.y.z) per endpoint (${count})`);
    }
  }
}

/** The addresses of each listening endpoint, in order: the nodes, then the database endpoint. */
export function planHosts(options: MaintSimulatorOptions): EndpointHosts[] {
  const count = addressCount(options);
  const { hosts, internalHosts } = options;
  return Array.from({ length: count }, (_, index): EndpointHosts => {
    if (hosts === undefined || hosts === 'shared') return SHARED_HOSTS;
    if (hosts === 'distinct') return { external: `127.0.0.${2 + index}`, internal: `127.1.0.${2 + index}`, name: 'localhost' };
    const external = hosts[index] as string;
    return { external, internal: internalHosts?.[index] ?? external, name: 'localhost' };
  });
}
