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

async function call(api: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${api}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
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
  const started = await call(api, 'POST', '/action', JSON.stringify({ type: 'cut', parameters: { connection_id: 'nope' } }));
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
  const raw = await call(api, 'POST', '/send-to-all-clients?encoding=raw', frame);
  assert.is(raw.status, 200);
  assert.ok((raw.json['results'] as unknown[]).length >= 2);
  const base64 = await call(api, 'POST', '/send-to-all-clients', Buffer.from(frame.replace(':1', ':2')).toString('base64'));
  assert.is(base64.status, 200);
  const one = await call(api, 'POST', `/send-to-client/${rig.infoOf(a)!.id}`, JSON.stringify({ data: frame.replace(':1', ':3'), encoding: 'raw' }), {
    'content-type': 'application/json',
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
    ['POST', '/action', '{not json', {}, 400, 'not valid JSON'],
    ['POST', '/action', '[1,2]', {}, 400, 'JSON object'],
    ['POST', '/action', JSON.stringify({ type: 'explode' }), {}, 400, 'Invalid option type: "explode"'],
    ['POST', '/action', JSON.stringify({ type: 'bind', parameters: { time_s: -1 } }), {}, 400, 'parameters.time_s'],
    ['POST', '/action', JSON.stringify({ type: 'bind', parameters: { colour: 'red' } }), {}, 400, 'parameters.colour'],
    ['POST', '/action', JSON.stringify({ type: 'migrate', parameters: 'fast' }), {}, 400, 'parameters'],
    ['POST', '/action', JSON.stringify({ type: 'bind', parameters: { endpoint: '10.0.0.1:1' } }), {}, 400, 'parameters.endpoint'],
    ['GET', '/action', undefined, {}, 405, 'use POST'],
    ['GET', '/action/does-not-exist', undefined, {}, 404, 'no such action'],
    ['DELETE', '/action/x', undefined, {}, 405, 'use GET'],
    ['GET', '/nowhere', undefined, {}, 404, 'no such route'],
    ['GET', '/action/a/b', undefined, {}, 404, 'no such route'],
    ['POST', '/send-to-all-clients', '>1\r\n$1\r\nx\r\n', {}, 400, 'not valid base64'],
    ['POST', '/send-to-all-clients?encoding=hex', 'abcd', {}, 400, 'unknown encoding'],
    ['POST', '/send-to-all-clients?encoding=raw', '', {}, 400, 'nothing to send'],
    ['POST', '/send-to-all-clients', '{"nodata":1}', { 'content-type': 'application/json' }, 400, '"data"'],
    ['POST', '/send-to-client/c404?encoding=raw', 'x', {}, 404, 'no open connection c404'],
    ['DELETE', '/connections/c404', undefined, {}, 404, 'no open connection c404'],
    ['POST', '/send-to-all-clients?encoding=raw', Buffer.alloc(1024 * 1024 + 1, 0x61), {}, 413, 'larger than'],
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

test('DELETE /connections/{id} closes that connection', async ({ rig, api }) => {
  const c = await rig.client();
  const response = await call(api, 'DELETE', `/connections/${rig.infoOf(c)!.id}`);
  assert.is(response.status, 200);
  await c.closed;
});

test.run();
