import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RedisReplyError } from '../../src/errors.js';
import { RespDecoder } from '../../src/protocol/decoder.js';
import { decodeAll, splits } from '../helpers/decode.js';

const cases: Array<[string, string, unknown]> = [
  ['simple string', '+OK\r\n', 'OK'],
  ['empty simple string', '+\r\n', ''],
  ['integer', ':1234\r\n', 1234],
  ['negative integer', ':-42\r\n', -42],
  ['integer with plus sign', ':+7\r\n', 7],
  ['largest safe integer', ':9007199254740991\r\n', 9007199254740991],
  ['integer beyond 2^53 as bigint', ':9007199254740993\r\n', 9007199254740993n],
  ['negative integer beyond 2^53 as bigint', ':-9223372036854775808\r\n', -9223372036854775808n],
  ['bulk string', '$5\r\nhello\r\n', 'hello'],
  ['bulk string with CRLF inside', '$4\r\na\r\nb\r\n', 'a\r\nb'],
  ['utf-8 bulk string', `$${Buffer.byteLength('héllo✓')}\r\nhéllo✓\r\n`, 'héllo✓'],
  ['empty bulk string', '$0\r\n\r\n', ''],
  ['RESP2 null bulk', '$-1\r\n', null],
  ['RESP2 null array', '*-1\r\n', null],
  ['RESP3 null', '_\r\n', null],
  ['array', '*3\r\n:1\r\n$1\r\na\r\n+b\r\n', [1, 'a', 'b']],
  ['empty array', '*0\r\n', []],
  ['nested array', '*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n*0\r\n', [[1, 2], [[]]]],
  ['true', '#t\r\n', true],
  ['false', '#f\r\n', false],
  ['double', ',3.25\r\n', 3.25],
  ['double exponent', ',1.5e3\r\n', 1500],
  ['double inf', ',inf\r\n', Infinity],
  ['double -inf', ',-inf\r\n', -Infinity],
  ['big number', '(3492890328409238509324850943850943825024385\r\n', 3492890328409238509324850943850943825024385n],
  ['negative big number', '(-12\r\n', -12n],
  ['verbatim string', '=15\r\ntxt:Some string\r\n', 'Some string'],
  ['map', '%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#t\r\n', { first: 1, second: true }],
  ['empty map', '%0\r\n', {}],
  ['set', '~3\r\n+a\r\n+b\r\n:3\r\n', ['a', 'b', 3]],
  ['attribute before a value is dropped', '|1\r\n+ttl\r\n:3600\r\n$3\r\nval\r\n', 'val'],
  ['attribute inside an array', '*2\r\n|1\r\n+k\r\n+v\r\n:1\r\n:2\r\n', [1, 2]],
  ['map nested in array', '*1\r\n%1\r\n+a\r\n*1\r\n:1\r\n', [{ a: [1] }]],
];

for (const [name, wire, expected] of cases) {
  test(`decodes ${name} at every split`, () => {
    for (const chunks of splits(Buffer.from(wire))) {
      const out = decodeAll(chunks);
      assert.is(out.length, 1, `one value for ${JSON.stringify(wire)}`);
      const first = out[0]!;
      assert.is(first.kind, 'reply');
      if (first.kind === 'reply') assert.equal(first.value, expected);
    }
  });
}

test('in a reply asked for as binary, bulk strings are Buffers; push frames and other replies stay strings', () => {
  const out: unknown[] = [];
  const wants = [true, false];
  const decoder = new RespDecoder({
    onReply: (value) => out.push(value),
    onErrorReply() {},
    onPush: (frame) => out.push(frame),
    wantsBuffers: () => wants.shift() ?? false,
  });
  decoder.feed(Buffer.from('*2\r\n$2\r\n\xff\x00\r\n+ok\r\n>2\r\n$7\r\nmessage\r\n$1\r\nx\r\n$3\r\nabc\r\n', 'latin1'));
  assert.equal(out, [[Buffer.from([0xff, 0]), 'ok'], ['message', 'x'], 'abc']);
});

test('NaN double', () => {
  const [out] = decodeAll([Buffer.from(',nan\r\n')]);
  assert.ok(out?.kind === 'reply' && Number.isNaN(out.value));
});

test('error reply goes to onErrorReply as a RedisReplyError with its prefix', () => {
  for (const chunks of splits(Buffer.from('-WRONGTYPE Operation against a key\r\n'))) {
    const [out] = decodeAll(chunks);
    assert.is(out?.kind, 'error');
    if (out?.kind !== 'error') return;
    assert.instance(out.error, RedisReplyError);
    assert.is(out.error.prefix, 'WRONGTYPE');
    assert.is(out.error.message, 'WRONGTYPE Operation against a key');
    assert.is(out.error.code, 'ERR_REDIS_REPLY');
  }
});

test('bulk error goes to onErrorReply', () => {
  const [out] = decodeAll([Buffer.from('!21\r\nSYNTAX invalid syntax\r\n')]);
  assert.ok(out?.kind === 'error' && out.error.message === 'SYNTAX invalid syntax');
});

test('errors nested in an aggregate stay values (EXEC results)', () => {
  const [out] = decodeAll([Buffer.from('*2\r\n+OK\r\n-ERR boom\r\n')]);
  assert.ok(out?.kind === 'reply' && Array.isArray(out.value));
  if (out?.kind !== 'reply' || !Array.isArray(out.value)) return;
  assert.is(out.value[0], 'OK');
  assert.instance(out.value[1], RedisReplyError);
});

test('push frames go to onPush and do not take a reply slot', () => {
  const wire = '+first\r\n>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n:2\r\n';
  for (const chunks of splits(Buffer.from(wire))) {
    const out = decodeAll(chunks);
    assert.equal(out, [
      { kind: 'reply', value: 'first' },
      { kind: 'push', frame: ['message', 'c', 'hi'] },
      { kind: 'reply', value: 2 },
    ]);
  }
});

test('a map key "__proto__" is an own key and does not change the prototype', () => {
  const [out] = decodeAll([Buffer.from('%1\r\n+__proto__\r\n+x\r\n')]);
  assert.ok(out?.kind === 'reply');
  if (out?.kind !== 'reply') return;
  const value = out.value as Record<string, unknown>;
  assert.is(Object.getPrototypeOf(value), Object.prototype);
  assert.is(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, 'x');
});

test('many values in one chunk are delivered in order', () => {
  const out = decodeAll([Buffer.from(':1\r\n:2\r\n$1\r\n3\r\n')]);
  assert.equal(out.map((o) => (o.kind === 'reply' ? o.value : undefined)), [1, 2, '3']);
});

test('a large bulk string arriving in many chunks is gathered once', () => {
  const payload = 'x'.repeat(300_000);
  const wire = Buffer.from(`$${payload.length}\r\n${payload}\r\n:5\r\n`);
  const chunks: Buffer[] = [];
  for (let i = 0; i < wire.length; i += 1000) chunks.push(wire.subarray(i, i + 1000));
  const out = decodeAll(chunks);
  assert.is(out.length, 2);
  assert.ok(out[0]?.kind === 'reply' && out[0].value === payload);
  assert.ok(out[1]?.kind === 'reply' && out[1].value === 5);
});

test.run();
