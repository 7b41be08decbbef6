/**
 * The HTTP control API in cluster mode (served by http-api.ts, with its same-origin checks):
 *   POST /action {"type","parameters"}        → {"action_id","status":"pending"}   (reshard, failover, bind, slot_migrate, …)
 *   GET  /action/{id}                         → {"action_id","type","status","error"?,"output"?}
 *   GET  /action                              → {"actions":[…],"types":[…]}
 *   GET  /actions                             → the action types (go-redis)
 *   GET  /slot-migrate?effect=E               → {"action","effect","cluster","triggers":[{name,description,requirements}]}
 *   POST /slot-migrate?effect=E&trigger=T&…   → starts slot_migrate from the query (go-redis), as POST /action does
 *   GET  /{other action}?effect=E             → the same listing, no triggers
 *   GET  /endpoints                           → {"endpoints","nodes":[{index,id,endpoint,role,slots}]}
 *   GET  /connections                         → {"connections":[…]} (ids `n<node>.<id>`)
 *   DELETE /connections/{id}                  → closes one connection
 *   POST /send-to-all-clients, /send-to-client/{id}   raw bytes, as in standalone mode
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminValue } from '../admin-client.js';
import { checkInjection, decodeData, HttpError, readActionRequest, readBody, send, statusJson, toJson } from '../http-api.js';
import { CLUSTER_ACTION_TYPES } from './actions.js';
import { ranges } from './core.js';
import { slotMigrateListing } from './slot-migrate.js';
import type { ClusterActionRequest, MaintClusterSimulator } from './types.js';

/** The query parameters of go-redis's `POST /slot-migrate?…`; numbers are sent as numbers. */
const SLOT_MIGRATE_QUERY = ['effect', 'trigger', 'variant', 'bdb_id', 'cluster_index', 'source_node', 'target_node'];

export async function routeClusterRequest(sim: MaintClusterSimulator, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const [head, id, extra] = url.pathname.split('/').filter((part) => part !== '');
  const method = request.method ?? 'GET';
  const only = (expected: string) => {
    if (method !== expected) throw new HttpError(405, `${method} is not allowed on ${url.pathname}; use ${expected}`);
  };
  if (extra !== undefined) throw new HttpError(404, `no such route: ${url.pathname}`);
  const name = head?.replace(/-/g, '_');

  if (head === 'action' && id === undefined) {
    if (method === 'GET') return send(response, 200, { actions: sim.actions().map(statusJson), types: CLUSTER_ACTION_TYPES });
    only('POST');
    return send(response, 200, { action_id: sim.start((await readActionRequest(request)) as ClusterActionRequest), status: 'pending' });
  }
  if (head === 'action') {
    only('GET');
    const status = sim.action(id as string);
    if (status === undefined) throw new HttpError(404, `no such action: ${id}`);
    return send(response, 200, statusJson(status));
  }
  if (head === 'actions' && id === undefined) {
    only('GET');
    return send(response, 200, CLUSTER_ACTION_TYPES);
  }
  if (name === 'slot_migrate' && id === undefined && method === 'POST') {
    return send(response, 200, { action_id: sim.start({ type: 'slot_migrate', parameters: slotMigrateQuery(url) }), status: 'pending' });
  }
  if (name !== undefined && id === undefined && method === 'GET' && url.searchParams.has('effect') && (CLUSTER_ACTION_TYPES as readonly string[]).includes(name)) {
    const listing = slotMigrateListing(url.searchParams.get('effect'), await describeCluster(sim));
    return send(response, 200, name === 'slot_migrate' ? listing : { ...listing, action: name, triggers: [] });
  }
  if (head === 'endpoints' && id === undefined) {
    only('GET');
    return send(response, 200, { endpoints: sim.endpoints, nodes: await nodesJson(sim) });
  }
  if (head === 'connections' && id === undefined) {
    only('GET');
    return send(response, 200, { connections: sim.connections().map(toJson) });
  }
  if (head === 'connections') {
    only('DELETE');
    const [node, connectionId] = locate(sim, id as string);
    await node.simulator.run({ type: 'cut', parameters: { connection_id: connectionId, mid_reply: false } }).catch(() => {
      throw new HttpError(404, `no open connection ${id}`);
    });
    return send(response, 200, { success: true, connectionId: id });
  }
  if (head === 'send-to-all-clients' && id === undefined) {
    only('POST');
    checkInjection(request);
    const bytes = decodeData(await readBody(request), request, url);
    const results = sim.nodes.flatMap((node) => node.simulator.inject(bytes).map((connectionId) => ({ connectionId: `n${node.index}.${connectionId}`, success: true })));
    return send(response, 200, { results });
  }
  if (head === 'send-to-client' && id !== undefined) {
    only('POST');
    checkInjection(request);
    const bytes = decodeData(await readBody(request), request, url);
    const [node, connectionId] = locate(sim, id);
    node.simulator.inject(bytes, { connectionId });
    return send(response, 200, { connectionId: id, success: true });
  }
  throw new HttpError(404, `no such route: ${method} ${url.pathname}`);
}

/** The parameters go-redis's `POST /slot-migrate?…` sends in its query; numbers as numbers. */
export function slotMigrateQuery(url: URL): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) {
    if (!SLOT_MIGRATE_QUERY.includes(key)) throw new HttpError(400, `unknown query parameter ${key}; expected ${SLOT_MIGRATE_QUERY.join(', ')}`);
    parameters[key] = /^\d+$/.test(value) && key !== 'bdb_id' ? Number(value) : value;
  }
  return parameters;
}

/** `n<index>.<id>` → the node and its simulator's connection id (404 when there is no such open connection). */
function locate(sim: MaintClusterSimulator, id: string): [MaintClusterSimulator['nodes'][number], string] {
  const match = /^n(\d+)\.(.+)$/.exec(id);
  const node = match === null ? undefined : sim.nodes[Number(match[1])];
  if (match === null || node === undefined || !node.simulator.connections().some((connection) => connection.id === match[2])) throw new HttpError(404, `no open connection ${id}`);
  return [node, match[2] as string];
}

async function nodesJson(sim: MaintClusterSimulator): Promise<Array<Record<string, unknown>>> {
  const owners = await sim.owners().catch(() => []);
  return Promise.all(
    sim.nodes.map(async (node) => {
      const role = await sim.command(node, 'ROLE').then((reply) => String((reply as AdminValue[])[0]), () => 'down');
      const slots = ranges(owners.flatMap((owner, slot) => (owner === node ? [slot] : [])));
      return { index: node.index, id: node.id, endpoint: node.endpoint, role: role === 'slave' ? 'replica' : role, slots };
    }),
  );
}

async function describeCluster(sim: MaintClusterSimulator): Promise<Record<string, unknown>> {
  const nodes = await nodesJson(sim);
  const primaries = nodes.filter((node) => node['role'] === 'master' && (node['slots'] as unknown[]).length > 0).length;
  const spares = nodes.filter((node) => node['role'] === 'master' && (node['slots'] as unknown[]).length === 0).length;
  return { primaries, replicas: nodes.filter((node) => node['role'] === 'replica').length, spares, nodes };
}
