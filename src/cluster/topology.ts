/**
 * The cluster's shape as a node reports it: `CLUSTER SHARDS` (Redis 7+, RESP3 maps or RESP2 flat
 * field lists) or `CLUSTER SLOTS`. Pure: a decoded reply in, shards out. An empty or `?` endpoint
 * means "the address you asked" (a node that does not know its own address).
 */
import { ProtocolError } from '../errors.js';
import type { Endpoint } from '../protocol/endpoint.js';
import type { SlotRange } from '../protocol/notifications.js';
import type { RespValue } from '../protocol/types.js';

export interface TopologyNode extends Endpoint {
  id: string | null;
}

export interface TopologyShard {
  primary: TopologyNode;
  replicas: TopologyNode[];
  slots: SlotRange[];
}

export function parseClusterShards(reply: RespValue, asked: Endpoint): TopologyShard[] {
  if (!Array.isArray(reply)) throw new ProtocolError('CLUSTER SHARDS: the reply is not an array');
  const shards: TopologyShard[] = [];
  for (const entry of reply) {
    const shard = fields(entry);
    const flat = shard['slots'];
    const nodes = shard['nodes'];
    if (!Array.isArray(flat) || !Array.isArray(nodes)) throw new ProtocolError('CLUSTER SHARDS: a shard without slots or nodes');
    const slots: SlotRange[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) slots.push([Number(flat[i]), Number(flat[i + 1])]);
    let primary: TopologyNode | null = null;
    const replicas: TopologyNode[] = [];
    for (const item of nodes) {
      const node = fields(item);
      const health = String(node['health'] ?? 'online');
      const address = shardNodeAddress(node, asked);
      if (node['role'] === 'master') {
        // A failed primary stays listed (with no slots once its replica took over): skip it.
        if (health !== 'failed' && primary === null) primary = address;
      } else if (health === 'online') {
        replicas.push(address);
      }
    }
    if (primary !== null && slots.length > 0) shards.push({ primary, replicas, slots });
  }
  return shards;
}

export function parseClusterSlots(reply: RespValue, asked: Endpoint): TopologyShard[] {
  if (!Array.isArray(reply)) throw new ProtocolError('CLUSTER SLOTS: the reply is not an array');
  const byPrimary = new Map<string, TopologyShard>();
  for (const row of reply) {
    if (!Array.isArray(row) || row.length < 3) throw new ProtocolError('CLUSTER SLOTS: a malformed row');
    const [first, last, primaryRow, ...replicaRows] = row;
    const primary = slotsNodeAddress(primaryRow ?? null, asked);
    const key = `${primary.host}:${primary.port}`;
    let shard = byPrimary.get(key);
    if (shard === undefined) {
      shard = { primary, replicas: replicaRows.map((r) => slotsNodeAddress(r, asked)), slots: [] };
      byPrimary.set(key, shard);
    }
    shard.slots.push([Number(first), Number(last)]);
  }
  return [...byPrimary.values()];
}

/** A RESP3 map (a plain object) or a RESP2 flat [field, value, …] list, as an object. */
function fields(value: RespValue): Record<string, RespValue> {
  if (Array.isArray(value)) {
    const record: Record<string, RespValue> = {};
    for (let i = 0; i + 1 < value.length; i += 2) record[String(value[i])] = value[i + 1] as RespValue;
    return record;
  }
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) return value as Record<string, RespValue>;
  throw new ProtocolError('CLUSTER SHARDS: an entry is neither a map nor a list');
}

function shardNodeAddress(node: Record<string, RespValue>, asked: Endpoint): TopologyNode {
  const endpoint = String(node['endpoint'] ?? node['ip'] ?? '');
  const port = Number(node['port'] ?? node['tls-port']);
  return { host: knownHost(endpoint, node['ip'], asked), port, id: node['id'] === undefined ? null : String(node['id']) };
}

function slotsNodeAddress(row: RespValue, asked: Endpoint): TopologyNode {
  if (!Array.isArray(row) || row.length < 2) throw new ProtocolError('CLUSTER SLOTS: a malformed node');
  const [host, port, id] = row;
  return { host: knownHost(host === null ? '' : String(host), undefined, asked), port: Number(port), id: id === undefined || id === null ? null : String(id) };
}

function knownHost(endpoint: string, ip: RespValue | undefined, asked: Endpoint): string {
  if (endpoint !== '' && endpoint !== '?') return endpoint;
  if (typeof ip === 'string' && ip !== '' && ip !== '?') return ip;
  return asked.host;
}
