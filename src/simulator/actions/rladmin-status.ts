/**
 * `rladmin status` as a table in rladmin's layout, so that the official suites' parsers (redis-py
 * reads the node of the master shard, a node without a shard of the database, the endpoint id
 * and the database id from it) find what they look for. Node k is the simulator's endpoint k-1;
 * the database has one master shard (its replica, when spawned, is not listed: the parsers look
 * for a node without any shard of the database to migrate to). A last section, after a blank
 * line, says what only the simulator knows.
 */
import type { ActionContext } from './index.js';

export interface StatusNames {
  bdbId: number;
  name: string;
}

/** Rows as rladmin aligns them: each column padded to its widest cell. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join(' ').trimEnd());
}

export function rladminStatus(ctx: ActionContext, { bdbId, name }: StatusNames): string {
  const active = ctx.activeEndpoint();
  const shard = ctx.shardEndpoint();
  const node = (index: number) => `node:${index + 1}`;
  const database = ctx.addresses[ctx.endpoints.length];
  const tls = ctx.endpoints.some((endpoint) => endpoint.tls);
  const db = `db:${bdbId}`;
  return [
    'CLUSTER NODES:',
    ...table([
      ['NODE:ID', 'ROLE', 'ADDRESS', 'EXTERNAL_ADDRESS', 'HOSTNAME', 'SHARDS', 'STATUS'],
      ...ctx.endpoints.map((endpoint) => [
        `${endpoint.index === 0 ? '*' : ''}${node(endpoint.index)}`,
        endpoint.index === 0 ? 'master' : 'slave',
        endpoint.hosts.internal,
        endpoint.hosts.external,
        endpoint.hosts.name,
        endpoint === shard ? '1/100' : '0/100',
        endpoint.state === 'serving' ? 'OK' : endpoint.state.toUpperCase(),
      ]),
    ]),
    '',
    'DATABASES:',
    ...table([
      ['DB:ID', 'NAME', 'TYPE', 'STATUS', 'SHARDS', 'PLACEMENT', 'REPLICATION', 'PERSISTENCE', 'ENDPOINT'],
      [db, name, 'redis', 'active', '1', 'dense', ctx.topology.spawned ? 'enabled' : 'disabled', 'disabled', (database ?? active).address],
    ]),
    '',
    'ENDPOINTS:',
    ...table([
      ['DB:ID', 'NAME', 'ID', 'NODE', 'ROLE', 'SSL'],
      [db, name, `endpoint:${bdbId}:1`, node(active.index), 'single', tls ? 'Yes' : 'No'],
    ]),
    '',
    'SHARDS:',
    ...table([
      ['DB:ID', 'NAME', 'ID', 'NODE', 'ROLE', 'SLOTS', 'USED_MEMORY', 'STATUS'],
      [db, name, 'redis:1', node(shard.index), 'master', '0-16383', 'N/A', 'OK'],
    ]),
    '',
    'SIMULATOR:',
    `ENDPOINTS: ${ctx.endpoints.map((endpoint) => `${endpoint.address} ${endpoint.state}${endpoint === active ? ' active' : ''}`).join(', ')}`,
    `UPSTREAM: ${ctx.topology.current().host}:${ctx.topology.current().port}${ctx.topology.spawned ? ' (spawned primary)' : ''}`,
    `CLIENT_MAINT_NOTIFICATIONS: ${ctx.notificationsEnabled() ? 'enabled' : 'disabled'}`,
  ].join('\n');
}
