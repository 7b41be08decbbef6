/**
 * The HTTP routes that address a database (both modes): `POST /action` (create_database,
 * delete_database, or an action sent to the database its `bdb_id` names), `GET /action/{id}` of
 * any database, `POST /rladmin` (text/plain `rladmin [-b N] CMD`, to database N) and go-redis's
 * `POST /slot-migrate?…&bdb_id=N` for a created cluster database. The rest is the mode's own
 * routes (`base`), which serve the simulator's own database.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rladminWords } from '../actions/rladmin.js';
import { slotMigrateQuery } from '../cluster/http-routes.js';
import { HttpError, mediaType, readActionRequest, readBody, send, statusJson, type HttpRoute } from '../http-api.js';
import type { DatabaseRegistry } from './registry.js';

export function withDatabases<S>(registry: DatabaseRegistry, base: HttpRoute<S>): HttpRoute<S> {
  return async (sim: S, request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [head, id, extra] = url.pathname.split('/').filter((part) => part !== '');
    const method = request.method ?? 'GET';
    const started = (actionId: string) => send(response, 200, { action_id: actionId, status: 'pending' });
    if (extra === undefined && head === 'action' && id === undefined && method === 'POST') {
      const { type, parameters } = await readActionRequest(request);
      return started(registry.start(type, parameters));
    }
    if (extra === undefined && head === 'action' && id !== undefined && method === 'GET') {
      const status = registry.action(id);
      if (status !== undefined) return send(response, 200, statusJson(status));
    }
    if (extra === undefined && head === 'rladmin' && id === undefined) {
      if (method !== 'POST') throw new HttpError(405, `${method} is not allowed on ${url.pathname}; use POST`);
      // text/plain is what redis-py sends; the Host and Origin checks keep web pages out.
      if (mediaType(request) !== 'text/plain') throw new HttpError(415, 'POST /rladmin needs Content-Type: text/plain (the command as text)');
      const { words, bdbId } = rladminWords((await readBody(request)).toString('utf8'));
      return started(registry.start('execute_rladmin_command', { rladmin_command: words.join(' '), ...(bdbId === undefined ? {} : { bdb_id: bdbId }) }));
    }
    if (extra === undefined && (head === 'slot-migrate' || head === 'slot_migrate') && id === undefined && method === 'POST' && registry.has(url.searchParams.get('bdb_id'))) {
      return started(registry.start('slot_migrate', slotMigrateQuery(url)));
    }
    return base(sim, request, response);
  };
}
