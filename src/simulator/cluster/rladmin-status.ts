/**
 * `rladmin status` of the cluster mode, in the layout of the standalone one (actions/rladmin-status.ts)
 * so that the same parsers read it: node k is the cluster's node k-1 (primaries, replicas, then
 * spares); each primary and replica holds one shard of the database (its slots in SLOTS), a
 * spare none (the "empty node" redis-py looks for); a stopped node is DOWN.
 */
import type { AdminValue } from '../admin-client.js';
import { table } from '../actions/rladmin-status.js';
import { ranges, type ClusterCore, type ClusterNode } from './core.js';

/** What the status names the database by. */
export interface ClusterStatusNames {
  bdbId: number;
  name: string;
}

type Role = 'master' | 'slave' | 'down';

export async function clusterRladminStatus(core: ClusterCore, { bdbId, name }: ClusterStatusNames): Promise<string> {
  const roles = await Promise.all(
    core.nodes.map((node) => core.command(node, 'ROLE').then((reply): Role => (String((reply as AdminValue[])[0]) === 'slave' ? 'slave' : 'master'), (): Role => 'down')),
  );
  const owners = await core.owners();
  const slotsOf = (node: ClusterNode) => ranges(owners.flatMap((owner, slot) => (owner === node ? [slot] : [])));
  const label = (node: ClusterNode) => `node:${node.index + 1}`;
  const sharded = core.nodes.filter((node, index) => roles[index] === 'slave' || slotsOf(node).length > 0 || (roles[index] === 'down' && node.server.slots !== null));
  const db = `db:${bdbId}`;
  const primaries = sharded.filter((node) => roles[node.index] === 'master').length;
  const first = core.nodes[0] as ClusterNode;
  return [
    'CLUSTER NODES:',
    ...table([
      ['NODE:ID', 'ROLE', 'ADDRESS', 'EXTERNAL_ADDRESS', 'HOSTNAME', 'SHARDS', 'STATUS'],
      ...core.nodes.map((node) => [
        `${node.index === 0 ? '*' : ''}${label(node)}`,
        node.index === 0 ? 'master' : 'slave',
        '127.0.0.1',
        '127.0.0.1',
        'localhost',
        `${sharded.includes(node) ? 1 : 0}/100`,
        roles[node.index] === 'down' ? 'DOWN' : 'OK',
      ]),
    ]),
    '',
    'DATABASES:',
    ...table([
      ['DB:ID', 'NAME', 'TYPE', 'STATUS', 'SHARDS', 'PLACEMENT', 'REPLICATION', 'PERSISTENCE', 'ENDPOINT'],
      [db, name, 'redis', 'active', String(primaries), 'sparse', sharded.length > primaries ? 'enabled' : 'disabled', 'disabled', first.endpoint],
    ]),
    '',
    'ENDPOINTS:',
    ...table([
      ['DB:ID', 'NAME', 'ID', 'NODE', 'ROLE', 'SSL'],
      [db, name, `endpoint:${bdbId}:1`, label(first), 'all-master-shards', 'No'],
    ]),
    '',
    'SHARDS:',
    ...table([
      ['DB:ID', 'NAME', 'ID', 'NODE', 'ROLE', 'SLOTS', 'USED_MEMORY', 'STATUS'],
      ...sharded.map((node, index) => {
        const slots = slotsOf(node).map(([from, to]) => (from === to ? String(from) : `${from}-${to}`)).join(',');
        return [db, name, `redis:${index + 1}`, label(node), roles[node.index] === 'slave' ? 'slave' : 'master', slots === '' ? '-' : slots, 'N/A', roles[node.index] === 'down' ? 'DOWN' : 'OK'];
      }),
    ]),
    '',
    'SIMULATOR:',
    `NODES: ${core.nodes.map((node) => `${node.endpoint} ${roles[node.index]}`).join(', ')}`,
  ].join('\n');
}
