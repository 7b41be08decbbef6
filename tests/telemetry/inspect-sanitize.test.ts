import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_DEPTH, REDACTED, isSensitiveKey, sanitizeContext, sanitizeEvent, sanitizeValue } from '../../scripts/inspect/sanitize.js';

test('strings and numbers under sensitive keys are redacted, at any depth below them', () => {
  const context = {
    host: '127.0.0.1',
    port: 6379,
    password: 'hunter2',
    options: { username: 'app', auth: { user: 'app', pass: 'x', pin: 1234, enabled: true, none: null } },
    apiKey: 'k',
    accessToken: 't',
    clientSecret: 's',
    credentials: ['a', 'b'],
    relaxSources: { 'MIGRATING:1': 7500 },
  };
  assert.equal(sanitizeContext(context), {
    host: '127.0.0.1',
    port: 6379,
    password: REDACTED,
    options: { username: 'app', auth: { user: REDACTED, pass: REDACTED, pin: REDACTED, enabled: true, none: null } },
    apiKey: REDACTED,
    accessToken: REDACTED,
    clientSecret: REDACTED,
    credentials: [REDACTED, REDACTED],
    relaxSources: { 'MIGRATING:1': 7500 },
  });
  for (const key of ['password', 'Password', 'passwd', 'pass', 'pwd', 'AUTH', 'authorization', 'secret', 'token', 'credential', 'api_key', 'privateKey']) {
    assert.ok(isSensitiveKey(key), key);
  }
  for (const key of ['host', 'port', 'endpoint', 'handoffTimeoutMs', 'relaxSources', 'username', 'type']) assert.not.ok(isSensitiveKey(key), key);
});

test('arguments after AUTH, and passwords in URLs, are redacted', () => {
  assert.equal(sanitizeValue(['HELLO', '3', 'AUTH', 'default', 's3cret', Buffer.from('x')]), ['HELLO', '3', 'AUTH', REDACTED, REDACTED, REDACTED]);
  assert.equal(sanitizeValue({ command: ['auth', 'pw'] }), { command: ['auth', REDACTED] });
  assert.equal(sanitizeValue(['GET', 'key']), ['GET', 'key']);
  assert.is(sanitizeValue('redis://user:p%40ss@10.0.0.1:6379/0'), `redis://user:${REDACTED}@10.0.0.1:6379/0`);
  assert.is(sanitizeValue('see rediss://:tok@host:6380 and redis://host:6379'), `see rediss://:${REDACTED}@host:6380 and redis://host:6379`);
});

test('Buffers and typed arrays become their size, also in their JSON form', () => {
  const bytes = Buffer.from('secret value');
  assert.equal(sanitizeValue({ value: bytes, view: new Uint8Array(3), raw: new ArrayBuffer(5), json: JSON.parse(JSON.stringify(bytes)) as unknown }), {
    value: '[Buffer 12 bytes]',
    view: '[Uint8Array 3 bytes]',
    raw: '[ArrayBuffer 5 bytes]',
    json: '[Buffer 12 bytes]',
  });
  assert.equal(sanitizeValue({ type: 'Buffer', data: [1], extra: true }), { type: 'Buffer', data: [1], extra: true }, 'only the exact Buffer JSON shape');
});

test('non-plain values: errors, dates, maps, sets, class instances, functions, toJSON, cycles, depth', () => {
  class Pipeline {
    socket = { secretBytes: Buffer.alloc(1) };
  }
  const ref = { id: 'c1', toJSON: () => ({ xstate$$type: 1, id: 'c1' }) };
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic['self'] = cyclic;
  const shared = { a: 1 };
  assert.equal(
    sanitizeValue({
      error: new TypeError('connect ECONNREFUSED'),
      at: new Date(0),
      map: new Map<unknown, unknown>([['password', 'x'], [1, 'one']]),
      set: new Set(['a']),
      pipeline: new Pipeline(),
      run: function go() {},
      ref,
      cyclic,
      twice: [shared, shared],
      big: 10n,
    }),
    {
      error: { name: 'TypeError', message: 'connect ECONNREFUSED' },
      at: '1970-01-01T00:00:00.000Z',
      map: { password: REDACTED, 1: 'one' },
      set: ['a'],
      pipeline: '[Pipeline]',
      run: '[Function go]',
      ref: { xstate$$type: 1, id: 'c1' },
      cyclic: { name: 'loop', self: '[Circular]' },
      twice: [{ a: 1 }, { a: 1 }],
      big: '10',
    },
  );
  let deep: unknown = 'bottom';
  for (let i = 0; i < MAX_DEPTH + 2; i++) deep = { next: deep };
  const text = JSON.stringify(sanitizeValue(deep));
  assert.ok(text.includes('"[…]"') && !text.includes('bottom'), text);
  assert.equal(sanitizeValue(Object.create(null) as object), {});
});

test('the input is not changed; events keep their type; contexts stay objects', () => {
  const context = { password: 'p', nested: { token: 't' }, list: ['AUTH', 'x'] };
  const copy = structuredClone(context);
  const clean = sanitizeContext(context);
  assert.equal(context, copy, 'input untouched');
  assert.is.not(clean['nested'], context.nested);
  const event = { type: 'xstate.done.actor.open', output: { pipeline: new (class Pipeline {})(), endpoint: '127.0.0.1:6380', auth: 'x' } };
  assert.equal(sanitizeEvent(event), { type: 'xstate.done.actor.open', output: { pipeline: '[Pipeline]', endpoint: '127.0.0.1:6380', auth: REDACTED } });
  assert.equal(sanitizeEvent({ type: 'redis://u:p@h' }), { type: 'redis://u:p@h' }, 'the type is kept as it is');
  assert.equal(sanitizeContext([1, 2] as unknown as Record<string, unknown>), {});
});

test.run();
