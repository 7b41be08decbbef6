/**
 * HTTP control API on 127.0.0.1, shaped like the fault-injector contract the official clients'
 * suites use:
 *   POST /action {"type","parameters"}          → {"action_id","status":"pending"}
 *   POST /rladmin  body: "rladmin [-b N] CMD" (text) → the same: an execute_rladmin_command action (redis-py)
 *   POST /action {type: create_database | delete_database, …} and actions to a created database by bdb_id:
 *                                               databases/http-route.ts, in front of these routes
 *   GET  /action/{id}                           → {"action_id","type","status","error"?,"output"?}
 *   GET  /action                                → {"actions":[status…],"types":[…]} (every action kept)
 *   GET  /actions                               → ["bind",…] (the action types, as go-redis lists them)
 *   GET  /{action}?effect=E                     → {"action","effect","cluster":{},"triggers":[]} (trigger listing;
 *                                                 only topology-change-standalone lists triggers here)
 *   GET  /connections                           → {"connections":[…]}
 *   GET  /endpoints                             → {"endpoints","active","database","upstream","tls","ca"}
 *   POST /send-to-all-clients[?encoding=raw|base64]   body: the bytes (default base64) or JSON {"data","encoding"?}
 *   POST /send-to-client/{id}[?encoding=…]     same, one connection
 *   DELETE /connections/{id}                    closes one connection
 * Bad requests get a 4xx with {"error": "…"}; they never touch live connections.
 * The cluster mode serves its own routes (cluster/http-routes.ts) behind the same checks.
 *
 * Only local tools may drive it, not web pages a browser on this machine happens to load:
 * - the Host header must be 127.0.0.1:<port> or localhost:<port> (DNS rebinding);
 * - an Origin header, when present, must be http://127.0.0.1:<port> or http://localhost:<port>;
 * - POST /action needs Content-Type: application/json; POST /rladmin takes text/plain, as redis-py
 *   sends it (a type forms can send too: browsers send an Origin with such a POST, refused above);
 * - the raw injection routes need the header `X-Hitless-Simulator: 1` (which no cross-site form
 *   can send) and a body typed application/json, application/octet-stream or text/plain (or untyped).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { HitlessError } from '../errors.js';
import { ACTION_TYPES } from './actions/index.js';
import { topologyChangeListing } from './actions/topology-change.js';
import { LOOPBACK } from './endpoint.js';
import type { ActionRequest, ActionStatus, ConnectionInfo, MaintSimulator } from './types.js';

export interface HttpApi {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The header the raw injection routes require. */
export const INJECT_HEADER = 'x-hitless-simulator';

/** What answers a request that passed the same-origin checks (the standalone routes by default; the cluster mode brings its own). */
export type HttpRoute<S> = (sim: S, request: IncomingMessage, response: ServerResponse) => Promise<void>;

export function startHttpApi(sim: MaintSimulator, port: number): Promise<HttpApi>;
export function startHttpApi<S>(sim: S, port: number, route: HttpRoute<S>): Promise<HttpApi>;
export function startHttpApi(sim: unknown, port: number, route: HttpRoute<unknown> = routeStandaloneRequest as HttpRoute<unknown>): Promise<HttpApi> {
  const server = createServer((request, response) => {
    const address = server.address();
    const actual = typeof address === 'object' && address !== null ? address.port : port;
    Promise.resolve()
      .then(() => {
        checkSameOrigin(request, actual);
        return route(sim, request, response);
      })
      .catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : error instanceof HitlessError ? 400 : 500;
        send(response, status, { error: error instanceof Error ? error.message : String(error) });
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: LOOPBACK }, () => {
      server.off('error', reject);
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        url: `http://${LOOPBACK}:${actual}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** The standalone routes; `POST /rladmin` and the database-addressed ones are databases/http-route.ts's. */
export async function routeStandaloneRequest(sim: MaintSimulator, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter((part) => part !== '');
  const method = request.method ?? 'GET';
  const route = (expected: string) => {
    if (method !== expected) throw new HttpError(405, `${method} is not allowed on ${url.pathname}; use ${expected}`);
  };
  const [head, id, extra] = parts;
  if (extra !== undefined) throw new HttpError(404, `no such route: ${url.pathname}`);

  if (head === 'action' && id === undefined && method === 'GET') {
    // go-redis reads job_id and action_type; the others action_id and type.
    const listed = sim.actions().map((status) => ({ ...statusJson(status), job_id: status.actionId, action_type: status.type }));
    return send(response, 200, { actions: listed, types: ACTION_TYPES });
  }
  if (head === 'actions' && id === undefined) {
    route('GET');
    return send(response, 200, ACTION_TYPES);
  }
  if (head !== undefined && id === undefined && method === 'GET' && url.searchParams.has('effect') && isTriggerRoute(head)) {
    if (head.replace(/-/g, '_') === 'topology_change_standalone') return send(response, 200, topologyChangeListing(url.searchParams.get('effect')));
    return send(response, 200, { action: head, effect: url.searchParams.get('effect'), cluster: {}, triggers: [] });
  }
  if (head === 'action' && id === undefined) {
    route('POST');
    const actionId = sim.start((await readActionRequest(request)) as ActionRequest);
    return send(response, 200, { action_id: actionId, status: 'pending' });
  }
  if (head === 'action' && id !== undefined) {
    route('GET');
    const status = sim.action(id);
    if (status === undefined) throw new HttpError(404, `no such action: ${id}`);
    return send(response, 200, statusJson(status));
  }
  if (head === 'connections' && id === undefined) {
    route('GET');
    return send(response, 200, { connections: sim.connections().map(toJson) });
  }
  if (head === 'connections' && id !== undefined) {
    route('DELETE');
    await sim.run({ type: 'cut', parameters: { connection_id: id, mid_reply: false } }).catch(() => {
      throw new HttpError(404, `no open connection ${id}`);
    });
    return send(response, 200, { success: true, connectionId: id });
  }
  if (head === 'endpoints' && id === undefined) {
    route('GET');
    return send(response, 200, { endpoints: sim.endpoints, active: sim.activeEndpoint, database: sim.databaseEndpoint, upstream: sim.upstream, tls: sim.tls, ca: sim.tlsCa });
  }
  if (head === 'send-to-all-clients' && id === undefined) {
    route('POST');
    checkInjection(request);
    const bytes = decodeData(await readBody(request), request, url);
    return send(response, 200, { results: sim.inject(bytes).map((connectionId) => ({ connectionId, success: true })) });
  }
  if (head === 'send-to-client' && id !== undefined) {
    route('POST');
    checkInjection(request);
    const bytes = decodeData(await readBody(request), request, url);
    if (!sim.connections().some((connection) => connection.id === id)) throw new HttpError(404, `no open connection ${id}`);
    sim.inject(bytes, { connectionId: id });
    return send(response, 200, { connectionId: id, success: true });
  }
  throw new HttpError(404, `no such route: ${method} ${url.pathname}`);
}

/** The body of `POST /action`: JSON `{type, parameters}` (415 for another Content-Type, 400 when not an object). */
export async function readActionRequest(request: IncomingMessage): Promise<{ type: unknown; parameters: unknown }> {
  if (mediaType(request) !== 'application/json') throw new HttpError(415, 'POST /action needs Content-Type: application/json');
  const body = parseJson(await readBody(request));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object {"type","parameters"}');
  const { type, parameters } = body as { type?: unknown; parameters?: unknown };
  return { type, parameters };
}

export function statusJson(status: Pick<ActionStatus, 'actionId'>): Record<string, unknown> {
  const { actionId, ...rest } = status;
  return { action_id: actionId, ...rest };
}

/** `GET /{action}?effect=…` lists triggers for an action: any action type, in - or _ spelling, or the cluster ones. */
function isTriggerRoute(head: string): boolean {
  const name = head.replace(/-/g, '_');
  return (ACTION_TYPES as readonly string[]).includes(name) || name === 'slot_migrate';
}

/** Rejects requests a web page could have made: a foreign Host (DNS rebinding) or Origin. */
function checkSameOrigin(request: IncomingMessage, port: number): void {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = (request.headers.host ?? '').toLowerCase();
  if (!hosts.includes(host)) throw new HttpError(403, `the Host header must be one of ${hosts.join(', ')}; got ${JSON.stringify(request.headers.host ?? '')}`);
  const origin = request.headers.origin;
  if (origin !== undefined && !hosts.some((allowed) => origin.toLowerCase() === `http://${allowed}`)) {
    throw new HttpError(403, `cross-origin requests are refused (Origin ${JSON.stringify(origin)})`);
  }
}

/** The raw injection routes: the custom header (no cross-site form sends it) and a known body type. */
export function checkInjection(request: IncomingMessage): void {
  if (request.headers[INJECT_HEADER] !== '1') throw new HttpError(403, `raw injection needs the header ${'X-Hitless-Simulator'}: 1`);
  const type = mediaType(request);
  if (type !== '' && type !== 'application/json' && type !== 'application/octet-stream' && type !== 'text/plain') {
    throw new HttpError(415, `unsupported Content-Type ${JSON.stringify(type)}; use application/json, application/octet-stream or text/plain`);
  }
}

/** The Content-Type's media type, lower-cased, without parameters ('' when absent). */
export function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `the body is larger than ${MAX_BODY} bytes`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes to send: the body itself, or JSON {"data","encoding"}; base64 unless `encoding=raw`. */
export function decodeData(body: Buffer, request: IncomingMessage, url: URL): Buffer {
  let encoding = url.searchParams.get('encoding');
  let data: Buffer | string = body;
  if (mediaType(request) === 'application/json') {
    const json = parseJson(body) as { data?: unknown; encoding?: unknown } | null;
    if (json === null || typeof json !== 'object' || typeof json.data !== 'string') throw new HttpError(400, 'the JSON body must be {"data": "…", "encoding"?: "raw"|"base64"}');
    data = json.data;
    if (typeof json.encoding === 'string') encoding = json.encoding;
  }
  encoding ??= 'base64';
  let bytes: Buffer;
  if (encoding === 'raw') bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  else if (encoding === 'base64') {
    const text = (typeof data === 'string' ? data : data.toString('latin1')).replace(/\s+/g, '');
    if (!BASE64.test(text)) throw new HttpError(400, 'the data is not valid base64 (send raw bytes with ?encoding=raw)');
    bytes = Buffer.from(text, 'base64');
  } else throw new HttpError(400, `unknown encoding ${JSON.stringify(encoding)}; expected raw or base64`);
  if (bytes.length === 0) throw new HttpError(400, 'nothing to send: the data is empty');
  return bytes;
}

export function toJson(connection: ConnectionInfo): Record<string, unknown> {
  return {
    ...connection,
    sent: connection.sent.map((frame) => ({
      frameType: frame.frameType,
      seq: frame.seq,
      at: frame.at,
      actionId: frame.actionId,
      data: frame.bytes.toString('base64'),
    })),
  };
}

export function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
