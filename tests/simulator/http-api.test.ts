import { request as httpRequest } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { plain } from '../helpers/raw-resp-client.js';
import { rig, settle, sleep, type Rig } from './support.js';

const test = suite<{ rig: Rig; api: string }>('http api');

test.before(async (context) => {
  context.rig = await rig({ apiPort: 0 });
  context.api = context.rig.sim.api as string;
});

test.after(async ({ rig }) => {
  await rig.teardown();
});

const JSON_BODY = { 'content-type': 'application/json' };
const INJECT = { 'x-hitless-simulator': '1' };

/** node:http rather than fetch, which would not let a test set the Host header. */
function call(api: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(`${api}${path}`);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function waitForAction(api: string, id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const { json } = await call(api, 'GET', `/action/${id}`);
    if (json['status'] === 'success' || json['status'] === 'failed') return json;
    await sleep(20);
  }
}

test('the API listens on 127.0.0.1 only', ({ rig }) => {
  assert.match(rig.sim.api as string, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('POST /action starts an action (pending) and GET /action/{id} follows it to success with its output', async ({ rig, api }) => {
  const c = await rig.optedIn('internal-ip');
  const started = await call(api, 'POST', '/action', JSON.stringify({ type: 'migrate', parameters: { time_s: 2, duration_s: 0.2, delay_ms: 0, bdb_id: '1' } }), {
    'content-type': 'application/json',
  });
  assert.is(started.status, 200);
  assert.is(started.json['status'], 'pending');
  assert.type(started.json['action_id'], 'string');
  const seen = new Set<unknown>();
  let final: Record<string, unknown>;
  for (;;) {
    final = (await call(api, 'GET', `/action/${started.json['action_id'] as string}`)).json;
    seen.add(final['status']);
    if (final['status'] === 'success' || final['status'] === 'failed') break;
    await sleep(20);
  }
  assert.ok(seen.has('running'), 'running while it runs');
  assert.is(final['status'], 'success');
  assert.is((final['output'] as Record<string, unknown>)['migrated_sent'], true);
  await settle(c);
  assert.equal(c.pushes.map((push) => push.elements[0]?.value), ['MIGRATING', 'MIGRATED']);
});

test('a failing action reports failed with its error', async ({ api }) => {
  const started = await call(api, 'POST', '/action', JSON.stringify({ type: 'cut', parameters: { connection_id: 'nope' } }), JSON_BODY);
  const final = await waitForAction(api, started.json['action_id'] as string);
  assert.is(final['status'], 'failed');
  assert.match(String(final['error']), 'no open connection nope');
});

test('GET /connections lists open connections with their endpoint type and the frames sent to them', async ({ rig, api }) => {
  const c = await rig.optedIn('external-fqdn');
  rig.sim.inject('>1\r\n$4\r\nHELO\r\n', { connectionId: rig.infoOf(c)!.id });
  await settle(c);
  const { status, json } = await call(api, 'GET', '/connections');
  assert.is(status, 200);
  const mine = (json['connections'] as Array<Record<string, unknown>>).find((entry) => entry['id'] === rig.infoOf(c)!.id);
  assert.is(mine?.['endpointType'], 'external-fqdn');
  assert.is(mine?.['endpoint'], rig.sim.activeEndpoint);
  const sent = mine?.['sent'] as Array<Record<string, unknown>>;
  assert.is(Buffer.from(sent.at(-1)!['data'] as string, 'base64').toString(), '>1\r\n$4\r\nHELO\r\n');
  const endpoints = await call(api, 'GET', '/endpoints');
  assert.equal(endpoints.json['endpoints'], rig.sim.endpoints);
});

test('send-to-all-clients and send-to-client take raw, base64 and JSON bodies', async ({ rig, api }) => {
  const a = await rig.client();
  const b = await rig.client();
  const frame = '>2\r\n$4\r\nTEST\r\n:1\r\n';
  const raw = await call(api, 'POST', '/send-to-all-clients?encoding=raw', frame, INJECT);
  assert.is(raw.status, 200);
  assert.ok((raw.json['results'] as unknown[]).length >= 2);
  const base64 = await call(api, 'POST', '/send-to-all-clients', Buffer.from(frame.replace(':1', ':2')).toString('base64'), INJECT);
  assert.is(base64.status, 200);
  const one = await call(api, 'POST', `/send-to-client/${rig.infoOf(a)!.id}`, JSON.stringify({ data: frame.replace(':1', ':3'), encoding: 'raw' }), {
    ...JSON_BODY,
    ...INJECT,
  });
  assert.equal(one.json, { connectionId: rig.infoOf(a)!.id, success: true });
  await settle(a, b);
  assert.equal(a.pushes.map((push) => plain(push.elements[1]!)), [1, 2, 3]);
  assert.equal(b.pushes.map((push) => plain(push.elements[1]!)), [1, 2]);
});

test('malformed requests and unknown action types are rejected with a 4xx JSON error and leave live connections alone', async ({ rig, api }) => {
  const live = await rig.optedIn('internal-ip');
  const busy = live.send(['BLPOP', 'http:nothing', '0.3'], ['PING']);
  const cases: Array<[string, string, string | Buffer | undefined, Record<string, string>, number, string]> = [
    ['POST', '/action', '{not json', JSON_BODY, 400, 'not valid JSON'],
    ['POST', '/action', '[1,2]', JSON_BODY, 400, 'JSON object'],
    ['POST', '/action', JSON.stringify({ type: 'explode' }), JSON_BODY, 400, 'Invalid option type: "explode"'],
    ['POST', '/action', JSON.stringify({ type: 'bind', parameters: { time_s: -1 } }), JSON_BODY, 400, 'parameters.time_s'],
    ['POST', '/action', JSON.stringify({ type: 'bind', parameters: { colour: 'red' } }), JSON_BODY, 400, 'parameters.colour'],
    ['POST', '/action', JSON.stringify({ type: 'migrate', parameters: 'fast' }), JSON_BODY, 400, 'parameters'],
    ['POST', '/action', JSON.stringify({ type: 'bind', parameters: { endpoint: '10.0.0.1:1' } }), JSON_BODY, 400, 'parameters.endpoint'],
    ['PUT', '/action', undefined, {}, 405, 'use POST'],
    ['GET', '/action/does-not-exist', undefined, {}, 404, 'no such action'],
    ['DELETE', '/action/x', undefined, {}, 405, 'use GET'],
    ['GET', '/nowhere', undefined, {}, 404, 'no such route'],
    ['GET', '/action/a/b', undefined, {}, 404, 'no such route'],
    ['POST', '/send-to-all-clients', '>1\r\n$1\r\nx\r\n', INJECT, 400, 'not valid base64'],
    ['POST', '/send-to-all-clients?encoding=hex', 'abcd', INJECT, 400, 'unknown encoding'],
    ['POST', '/send-to-all-clients?encoding=raw', '', INJECT, 400, 'nothing to send'],
    ['POST', '/send-to-all-clients', '{"nodata":1}', { ...JSON_BODY, ...INJECT }, 400, '"data"'],
    ['POST', '/send-to-client/c404?encoding=raw', 'x', INJECT, 404, 'no open connection c404'],
    ['DELETE', '/connections/c404', undefined, {}, 404, 'no open connection c404'],
    ['POST', '/send-to-all-clients?encoding=raw', Buffer.alloc(1024 * 1024 + 1, 0x61), INJECT, 413, 'larger than'],
    ['POST', '/send-to-all-clients?encoding=raw', '>2\r\n$4\r\nHALF\r\n', INJECT, 400, 'complete RESP frames'],
    ['POST', '/send-to-all-clients', Buffer.from('$5\r\nab').toString('base64'), INJECT, 400, 'complete RESP frames'],
    ['POST', `/send-to-client/${rig.infoOf(live)!.id}?encoding=raw`, '?garbage\r\n', INJECT, 400, 'complete RESP frames'],
  ];
  for (const [method, path, body, headers, status, message] of cases) {
    const response = await call(api, method, path, body, headers);
    assert.is(response.status, status, `${method} ${path} → ${status}`);
    assert.match(String(response.json['error']), message, `${method} ${path} explains itself`);
  }
  assert.equal((await busy).map(plain), [null, 'PONG'], 'an in-flight pipeline completed untouched');
  await settle(live);
  assert.is(live.pushes.length, 0, 'nothing was sent to the live connection');
  assert.is(live.isClosed, false);
});

test('cross-site requests are refused: foreign Host or Origin, non-JSON actions, injection without the custom header', async ({ rig, api }) => {
  const live = await rig.optedIn('internal-ip');
  const port = new URL(api).port;
  const action = JSON.stringify({ type: 'migrate', parameters: { duration_s: 0.1, delay_ms: 0 } });
  const frame = '>1\r\n$5\r\nCSRF!\r\n';
  const cases: Array<[string, string, string | undefined, Record<string, string>, number, string]> = [
    ['POST', '/action', action, {}, 415, 'application/json'],
    ['POST', '/action', action, { 'content-type': 'text/plain' }, 415, 'application/json'],
    ['POST', '/action', action, { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'application/json'],
    ['POST', '/action', action, { ...JSON_BODY, origin: 'http://evil.example' }, 403, 'cross-origin'],
    ['POST', '/action', action, { ...JSON_BODY, origin: `http://127.0.0.1:${Number(port) + 1}` }, 403, 'cross-origin'],
    ['POST', '/action', action, { ...JSON_BODY, host: `evil.example:${port}` }, 403, 'Host'],
    ['GET', '/connections', undefined, { host: `rebound.example:${port}` }, 403, 'Host'],
    ['POST', '/send-to-all-clients?encoding=raw', frame, {}, 403, 'X-Hitless-Simulator'],
    ['POST', '/send-to-all-clients?encoding=raw', frame, { ...INJECT, 'content-type': 'application/x-www-form-urlencoded' }, 415, 'Content-Type'],
    ['POST', `/send-to-client/${rig.infoOf(live)!.id}?encoding=raw`, frame, { 'content-type': 'text/plain' }, 403, 'X-Hitless-Simulator'],
    ['POST', '/send-to-all-clients?encoding=raw', frame, { ...INJECT, origin: 'null' }, 403, 'cross-origin'],
  ];
  for (const [method, path, body, headers, status, message] of cases) {
    const response = await call(api, method, path, body, headers);
    assert.is(response.status, status, `${method} ${path} ${JSON.stringify(headers)} → ${status}`);
    assert.match(String(response.json['error']), message);
  }
  const local = await call(api, 'GET', '/endpoints', undefined, { host: `localhost:${port}`, origin: `http://localhost:${port}` });
  assert.is(local.status, 200, 'localhost:<port> is the same origin');
  await settle(live);
  assert.is(live.pushes.length, 0, 'no refused request reached the connection');
  assert.equal(rig.infoOf(live)?.sent, [], 'and nothing was sent to it');
});

test('DELETE /connections/{id} closes that connection', async ({ rig, api }) => {
  const c = await rig.client();
  const response = await call(api, 'DELETE', `/connections/${rig.infoOf(c)!.id}`);
  assert.is(response.status, 200);
  await c.closed;
});

test.run();
