import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { ProtocolError } from '../../src/errors.js';
import { RespDecoder } from '../../src/protocol/decoder.js';
import { encodeCommand } from '../../src/protocol/encoder.js';
import { decodeAll } from '../helpers/decode.js';

/** A RESP3 value tree as a server could send it, with the JS value the decoder must produce. */
type Sample = { wire: string; value: unknown };

const text = fc.string({ maxLength: 20 }).filter((s) => !s.includes('\r') && !s.includes('\n'));
const leaf: fc.Arbitrary<Sample> = fc.oneof(
  text.map((s) => ({ wire: `+${s}\r\n`, value: s })),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => ({ wire: `$${Buffer.byteLength(s)}\r\n${s}\r\n`, value: s })),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }).map((n) => ({ wire: `:${n}\r\n`, value: n })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => ({ wire: `,${d}\r\n`, value: Object.is(d, -0) ? -0 : d })),
  fc.bigInt().map((b) => ({ wire: `(${b}\r\n`, value: b })),
  fc.boolean().map((b) => ({ wire: `#${b ? 't' : 'f'}\r\n`, value: b })),
  fc.constant({ wire: '_\r\n', value: null }),
);
const { tree } = fc.letrec<{ tree: Sample }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 5 }).map((items) => ({
      wire: `*${items.length}\r\n${items.map((i) => i.wire).join('')}`,
      value: items.map((i) => i.value),
    })),
    fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), tie('tree')), { maxLength: 4, selector: ([k]) => k }).map((entries) => ({
      wire: `%${entries.length}\r\n${entries.map(([k, v]) => `+${k}\r\n${v.wire}`).join('')}`,
      value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])),
    })),
  ),
}));

const cutPoints = (length: number) => fc.uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 6 }).map((cuts) => cuts.sort((a, b) => a - b));

function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

test('any value tree decodes to the expected value however the bytes are chunked', () => {
  fc.assert(
    fc.property(
      tree.chain((sample) => cutPoints(Buffer.byteLength(sample.wire)).map((cuts) => ({ sample, cuts }))),
      ({ sample, cuts }) => {
        const out = decodeAll(chunk(Buffer.from(sample.wire), cuts));
        assert.is(out.length, 1);
        assert.equal(out[0], { kind: 'reply', value: sample.value });
      },
    ),
    { numRuns: 400 },
  );
});

test('encodeCommand round-trips through the decoder as an array of strings', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.integer().map(String)), { minLength: 1, maxLength: 8 }), (args) => {
      const encoded = encodeCommand(args);
      const out = decodeAll([Buffer.from(encoded)]);
      assert.equal(out, [{ kind: 'reply', value: args }]);
    }),
    { numRuns: 300 },
  );
});

test('encodeCommand keeps binary arguments byte-exact', () => {
  const binary = Buffer.from([0, 255, 13, 10, 200]);
  const encoded = encodeCommand(['SET', 'k', binary, 42, 7n]);
  assert.ok(Buffer.isBuffer(encoded));
  assert.equal(encoded, Buffer.concat([Buffer.from('*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\n'), binary, Buffer.from('\r\n$2\r\n42\r\n$1\r\n7\r\n')]));
});

test('random garbage yields a ProtocolError or waits for more bytes, never another exception or a hang', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => {
      const decoder = new RespDecoder({ onReply() {}, onErrorReply() {}, onPush() {} });
      try {
        decoder.feed(Buffer.from(bytes));
      } catch (error) {
        assert.instance(error, ProtocolError);
        assert.is((error as ProtocolError).code, 'ERR_PROTOCOL');
      }
    }),
    { numRuns: 2000 },
  );
});

test('specific malformed frames are ProtocolErrors', () => {
  const bad = ['?x\r\n', ':12a\r\n', '$abc\r\n', '$3\r\nabcd\r\n', '#x\r\n', ',abc\r\n', '(1.5\r\n', '=3\r\nabc\r\n', '*-2\r\n', '_x\r\n', ':\r\n', '+a\rb\r\n'];
  for (const wire of bad) {
    const decoder = new RespDecoder({ onReply() {}, onErrorReply() {}, onPush() {} });
    assert.throws(() => decoder.feed(Buffer.from(wire)), (error: unknown) => error instanceof ProtocolError, wire);
  }
});

test('an endless line without CRLF is rejected instead of buffered forever', () => {
  const decoder = new RespDecoder({ onReply() {}, onErrorReply() {}, onPush() {} });
  decoder.feed(Buffer.from('+'));
  assert.throws(() => {
    for (let i = 0; i < 100; i++) decoder.feed(Buffer.alloc(1024, 97));
  }, (error: unknown) => error instanceof ProtocolError);
});

test('reset() drops a partial value', () => {
  const out: unknown[] = [];
  const decoder = new RespDecoder({ onReply: (v) => out.push(v), onErrorReply() {}, onPush() {} });
  decoder.feed(Buffer.from('*2\r\n:1\r\n$10\r\nabc'));
  assert.not.ok(decoder.idle);
  decoder.reset();
  assert.ok(decoder.idle);
  decoder.feed(Buffer.from(':9\r\n'));
  assert.equal(out, [9]);
});

test.run();
