import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { formatEndpoint, parseEndpoint, type Endpoint } from '../../src/protocol/endpoint.js';

const ok = (host: string, port: number) => ({ kind: 'endpoint', endpoint: { host, port } });

test('host:port', () => {
  assert.equal(parseEndpoint('10.0.0.7:12075'), ok('10.0.0.7', 12075));
  assert.equal(parseEndpoint('redis-1.example.com:12000'), ok('redis-1.example.com', 12000));
});

test('no port means 6379', () => {
  assert.equal(parseEndpoint('10.0.0.9'), ok('10.0.0.9', 6379));
  assert.equal(parseEndpoint('cache.internal'), ok('cache.internal', 6379));
});

test('bracketed IPv6 with and without port', () => {
  assert.equal(parseEndpoint('[2001:db8::7]:6380'), ok('2001:db8::7', 6380));
  assert.equal(parseEndpoint('[::1]'), ok('::1', 6379));
});

test('bare IPv6 splits on the last colon', () => {
  assert.equal(parseEndpoint('2001:db8::7:6380'), ok('2001:db8::7', 6380));
});

test('surrounding whitespace is ignored', () => {
  assert.equal(parseEndpoint('  10.0.0.7:1 '), ok('10.0.0.7', 1));
});

test('null, undefined, empty and the text null mean none', () => {
  for (const text of [null, undefined, '', '   ', 'null']) {
    assert.equal(parseEndpoint(text), { kind: 'none' }, String(text));
  }
});

test('bad ports are invalid', () => {
  for (const text of ['h:notaport', 'h:0', 'h:65536', 'h:', 'h:-1', 'h:12.5', 'h:123456', '[::1]:x', '[::1]x']) {
    assert.is(parseEndpoint(text).kind, 'invalid', text);
  }
});

test('mangled hosts are invalid', () => {
  for (const text of [':6379', '[::1', '[not-v6]:1', 'a:b:6379', 'has space:1', 'user@h:1', 'a/b:1']) {
    assert.is(parseEndpoint(text).kind, 'invalid', text);
  }
});

test('invalid reasons stay short for huge input', () => {
  const result = parseEndpoint(`${'x'.repeat(100_000)}:bad`);
  assert.is(result.kind, 'invalid');
  if (result.kind === 'invalid') assert.ok(result.reason.length < 200);
});

test('formatEndpoint brackets IPv6 and round-trips', () => {
  assert.is(formatEndpoint({ host: '2001:db8::7', port: 6380 }), '[2001:db8::7]:6380');
  assert.is(formatEndpoint({ host: '10.0.0.7', port: 12075 }), '10.0.0.7:12075');
  const endpoints: Endpoint[] = [
    { host: '::1', port: 7000 },
    { host: 'redis.example.com', port: 6379 },
  ];
  for (const e of endpoints) assert.equal(parseEndpoint(formatEndpoint(e)), { kind: 'endpoint', endpoint: e });
});

test('property: formatted IP endpoints parse back to themselves', () => {
  fc.assert(
    fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 1, max: 65535 }), (host, port) => {
      assert.equal(parseEndpoint(formatEndpoint({ host, port })), ok(host, port));
    }),
  );
});

test('property: never throws on any string', () => {
  fc.assert(
    fc.property(fc.string(), (text) => {
      assert.ok(['endpoint', 'none', 'invalid'].includes(parseEndpoint(text).kind));
    }),
  );
});

test.run();
