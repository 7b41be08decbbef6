import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FrameScanner, RespType, scanFrames } from '../../src/protocol/frame-scanner.js';
import { ProtocolError } from '../../src/errors.js';

/** One complete frame per entry, with the type byte its value carries. */
const FRAMES: Array<{ name: string; wire: string; type: number }> = [
  { name: 'simple string', wire: '+OK\r\n', type: RespType.SimpleString },
  { name: 'empty simple string', wire: '+\r\n', type: RespType.SimpleString },
  { name: 'simple error', wire: '-ERR unknown command\r\n', type: RespType.SimpleError },
  { name: 'integer', wire: ':1000\r\n', type: RespType.Integer },
  { name: 'negative integer', wire: ':-42\r\n', type: RespType.Integer },
  { name: 'bulk string', wire: '$5\r\nhello\r\n', type: RespType.BulkString },
  { name: 'bulk string holding CRLF', wire: '$4\r\n\r\n\r\n\r\n', type: RespType.BulkString },
  { name: 'empty bulk string', wire: '$0\r\n\r\n', type: RespType.BulkString },
  { name: 'null bulk (RESP2)', wire: '$-1\r\n', type: RespType.BulkString },
  { name: 'null array (RESP2)', wire: '*-1\r\n', type: RespType.Array },
  { name: 'empty array', wire: '*0\r\n', type: RespType.Array },
  { name: 'array', wire: '*3\r\n:1\r\n$3\r\nfoo\r\n+bar\r\n', type: RespType.Array },
  { name: 'nested arrays', wire: '*2\r\n*2\r\n:1\r\n*0\r\n*1\r\n*1\r\n$1\r\nx\r\n', type: RespType.Array },
  { name: 'null', wire: '_\r\n', type: RespType.Null },
  { name: 'boolean true', wire: '#t\r\n', type: RespType.Boolean },
  { name: 'boolean false', wire: '#f\r\n', type: RespType.Boolean },
  { name: 'double', wire: ',3.14e-2\r\n', type: RespType.Double },
  { name: 'double inf', wire: ',-inf\r\n', type: RespType.Double },
  { name: 'double nan', wire: ',nan\r\n', type: RespType.Double },
  { name: 'big number', wire: '(3492890328409238509324850943850943825024385\r\n', type: RespType.BigNumber },
  { name: 'bulk error', wire: '!21\r\nSYNTAX invalid syntax\r\n', type: RespType.BulkError },
  { name: 'verbatim string', wire: '=15\r\ntxt:Some string\r\n', type: RespType.VerbatimString },
  { name: 'map', wire: '%2\r\n+first\r\n:1\r\n+second\r\n*2\r\n:2\r\n:3\r\n', type: RespType.Map },
  { name: 'empty map', wire: '%0\r\n', type: RespType.Map },
  { name: 'set', wire: '~2\r\n+a\r\n#f\r\n', type: RespType.Set },
  {
    name: 'push (MOVING)',
    wire: '>4\r\n$6\r\nMOVING\r\n:17\r\n:15\r\n$14\r\n10.0.0.7:12075\r\n',
    type: RespType.Push,
  },
  { name: 'push with a null element', wire: '>4\r\n$6\r\nMOVING\r\n:21\r\n:10\r\n_\r\n', type: RespType.Push },
  {
    name: 'top-level attribute before a value',
    wire: '|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n',
    type: RespType.Array,
  },
  { name: 'empty attribute before a value', wire: '|0\r\n:7\r\n', type: RespType.Integer },
  {
    name: 'attribute nested inside an array (not an element)',
    wire: '*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\na\r\n:2\r\n',
    type: RespType.Array,
  },
  { name: 'two attributes in a row', wire: '|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n+OK\r\n', type: RespType.SimpleString },
  { name: 'attribute before a push', wire: '|1\r\n+a\r\n:1\r\n>2\r\n+message\r\n+x\r\n', type: RespType.Push },
  { name: 'map holding an attribute on a value', wire: '%1\r\n+k\r\n|1\r\n+a\r\n:1\r\n+v\r\n', type: RespType.Map },
];

const STREAM = Buffer.from(FRAMES.map((f) => f.wire).join(''), 'latin1');
const ENDS = (() => {
  let at = 0;
  return FRAMES.map((f) => (at += Buffer.byteLength(f.wire, 'latin1')));
})();

/** Feeds `chunks` in order and returns every frame end in stream coordinates, with its type. */
function feed(chunks: Uint8Array[], scanner = new FrameScanner()): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let base = 0;
  for (const chunk of chunks) {
    let at = 0;
    for (;;) {
      const end = scanner.next(chunk, at);
      if (end < 0) break;
      found.push([base + end, scanner.lastFrameType]);
      at = end;
    }
    base += chunk.length;
  }
  return found;
}

const EXPECTED = ENDS.map((end, i) => [end, (FRAMES[i] as { type: number }).type] as [number, number]);

for (const frame of FRAMES) {
  test(`a whole ${frame.name} is one frame`, () => {
    const bytes = Buffer.from(frame.wire, 'latin1');
    const scanner = new FrameScanner();
    assert.is(scanner.next(bytes), bytes.length);
    assert.is(scanner.lastFrameType, frame.type);
    assert.is(scanner.inFrame, false);
  });

  test(`a ${frame.name} split at every byte boundary ends at the same place`, () => {
    const bytes = Buffer.from(frame.wire, 'latin1');
    for (let cut = 1; cut < bytes.length; cut++) {
      const scanner = new FrameScanner();
      assert.is(scanner.next(bytes.subarray(0, cut)), -1, `cut ${cut}: no frame yet`);
      assert.ok(scanner.inFrame, `cut ${cut}: inside a frame`);
      assert.is(scanner.next(bytes.subarray(cut)), bytes.length - cut, `cut ${cut}`);
      assert.is(scanner.lastFrameType, frame.type);
    }
  });
}

test('a stream of every type split in two at every byte boundary', () => {
  for (let cut = 0; cut <= STREAM.length; cut++) {
    assert.equal(feed([STREAM.subarray(0, cut), STREAM.subarray(cut)]), EXPECTED, `cut at ${cut}`);
  }
});

test('a stream of every type fed one byte at a time', () => {
  const chunks = Array.from({ length: STREAM.length }, (_, i) => STREAM.subarray(i, i + 1));
  assert.equal(feed(chunks), EXPECTED);
});

test('scanFrames returns the ends found in one chunk and keeps the partial frame for the next', () => {
  const scanner = new FrameScanner();
  const cut = (ENDS[2] as number) + 3;
  assert.equal(scanFrames(scanner, STREAM.subarray(0, cut)), ENDS.slice(0, 3));
  assert.ok(scanner.inFrame);
  const rest = scanFrames(scanner, STREAM.subarray(cut)).map((end) => end + cut);
  assert.equal(rest, ENDS.slice(3));
  assert.is(scanner.position, STREAM.length);
});

test('a large bulk fed in many chunks is skipped, not rescanned, and still ends exactly', () => {
  const size = 4 * 1024 * 1024;
  const header = Buffer.from(`$${size}\r\n`);
  const scanner = new FrameScanner();
  assert.is(scanner.next(header), -1);
  const block = Buffer.alloc(64 * 1024, 0x0d); // CR bytes inside a payload must not confuse it
  for (let sent = 0; sent < size; sent += block.length) assert.is(scanner.next(block), -1);
  assert.is(scanner.next(Buffer.from('\r\n:1\r\n')), 2);
  assert.is(scanner.lastFrameType, RespType.BulkString);
});

const GARBAGE: Array<{ name: string; wire: string; offset: number }> = [
  { name: 'an unknown type byte', wire: 'hello\r\n', offset: 0 },
  { name: 'a type byte after a complete frame', wire: '+OK\r\n@', offset: 5 },
  { name: 'a letter in a bulk length', wire: '$1x\r\n', offset: 2 },
  { name: 'a missing bulk length', wire: '$\r\n', offset: 1 },
  { name: 'a negative bulk length other than -1', wire: '$-2\r\n', offset: 3 },
  { name: 'a negative map count', wire: '%-1\r\n', offset: 3 },
  { name: 'a bulk longer than declared', wire: '$2\r\nabc\r\n', offset: 6 },
  { name: 'a bulk not followed by LF', wire: '$2\r\nab\rX', offset: 7 },
  { name: 'CR not followed by LF in a header', wire: ':1\rX', offset: 3 },
  { name: 'a bare LF in a simple string', wire: '+O\nK\r\n', offset: 2 },
  { name: 'a non-numeric integer', wire: ':12a\r\n', offset: 3 },
  { name: 'an integer without digits', wire: ':-\r\n', offset: 2 },
  { name: 'a boolean that is neither t nor f', wire: '#x\r\n', offset: 1 },
  { name: 'a boolean with two letters', wire: '#tt\r\n', offset: 2 },
  { name: 'an empty boolean', wire: '#\r\n', offset: 1 },
  { name: 'a null with content', wire: '_x\r\n', offset: 1 },
  { name: 'a double with letters', wire: ',1.5q\r\n', offset: 4 },
  { name: 'an empty double', wire: ',\r\n', offset: 1 },
  { name: 'a length too long to be real', wire: '$12345678901234567\r\n', offset: 16 },
  { name: 'garbage inside an array', wire: '*2\r\n:1\r\n?\r\n', offset: 8 },
];

for (const bad of GARBAGE) {
  test(`${bad.name} throws a ProtocolError naming the offset`, () => {
    const bytes = Buffer.from(bad.wire, 'latin1');
    const scanner = new FrameScanner();
    try {
      for (let at = 0; at < bytes.length; ) {
        const end = scanner.next(bytes, at);
        if (end < 0) break;
        at = end;
      }
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.instance(error, ProtocolError);
      assert.is((error as ProtocolError).code, 'ERR_PROTOCOL');
      assert.match((error as Error).message, `stream offset ${bad.offset}`);
    }
  });

  test(`${bad.name} is caught the same when fed one byte at a time`, () => {
    const bytes = Buffer.from(bad.wire, 'latin1');
    const scanner = new FrameScanner();
    assert.throws(() => {
      for (let i = 0; i < bytes.length; i++) scanner.next(bytes.subarray(i, i + 1));
    }, (error: unknown) => error instanceof ProtocolError && (error as Error).message.includes(`stream offset ${bad.offset}`));
  });
}

test('reset makes a scanner usable again after garbage', () => {
  const scanner = new FrameScanner();
  assert.throws(() => scanner.next(Buffer.from('?')), (error: unknown) => error instanceof ProtocolError);
  scanner.reset();
  assert.is(scanner.inFrame, false);
  assert.is(scanner.next(Buffer.from('+OK\r\n')), 5);
});

// Property: any RESP3 value, encoded and fed in arbitrary chunks, ends exactly where it should.
type Value =
  | { t: 'simple'; s: string }
  | { t: 'error'; s: string }
  | { t: 'int'; n: number }
  | { t: 'bulk'; s: string }
  | { t: 'null' }
  | { t: 'nullBulk' }
  | { t: 'bool'; b: boolean }
  | { t: 'double'; n: number }
  | { t: 'agg'; kind: '*' | '~' | '>' | '%'; items: Value[] }
  | { t: 'attr'; pairs: Value[]; value: Value };

const line = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'Z', '9', '-', ':') });
const { value: valueArb } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    line.map((s): Value => ({ t: 'simple', s })),
    line.map((s): Value => ({ t: 'error', s: `ERR${s}` })),
    fc.integer().map((n): Value => ({ t: 'int', n })),
    fc.string({ unit: fc.constantFrom('x', '\r', '\n', '$', '*', '>') }).map((s): Value => ({ t: 'bulk', s })),
    fc.constant<Value>({ t: 'null' }),
    fc.constant<Value>({ t: 'nullBulk' }),
    fc.boolean().map((b): Value => ({ t: 'bool', b })),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n): Value => ({ t: 'double', n })),
    fc
      .record({ kind: fc.constantFrom<'*' | '~' | '>' | '%'>('*', '~', '>', '%'), items: fc.array(tie('value'), { maxLength: 4 }) })
      .map((r): Value => ({ t: 'agg', kind: r.kind, items: r.kind === '%' && r.items.length % 2 === 1 ? r.items.slice(1) : r.items })),
    fc.record({ pairs: fc.array(tie('value'), { maxLength: 2 }), value: tie('value') }).map(
      (r): Value => ({ t: 'attr', pairs: r.pairs.length % 2 === 1 ? r.pairs.slice(1) : r.pairs, value: r.value }),
    ),
  ),
}));

function encode(v: Value): string {
  switch (v.t) {
    case 'simple':
      return `+${v.s}\r\n`;
    case 'error':
      return `-${v.s}\r\n`;
    case 'int':
      return `:${v.n}\r\n`;
    case 'bulk':
      return `$${Buffer.byteLength(v.s)}\r\n${v.s}\r\n`;
    case 'null':
      return '_\r\n';
    case 'nullBulk':
      return '$-1\r\n';
    case 'bool':
      return `#${v.b ? 't' : 'f'}\r\n`;
    case 'double':
      return `,${v.n}\r\n`;
    case 'agg':
      return `${v.kind}${v.kind === '%' ? v.items.length / 2 : v.items.length}\r\n${v.items.map(encode).join('')}`;
    case 'attr':
      return `|${v.pairs.length / 2}\r\n${v.pairs.map(encode).join('')}${encode(v.value)}`;
  }
}

test('property: encoded values in random chunks end exactly at their boundaries', () => {
  fc.assert(
    fc.property(fc.array(valueArb, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (values, cutSeeds) => {
      const wires = values.map(encode);
      const stream = Buffer.from(wires.join(''));
      let at = 0;
      const expected = wires.map((w) => (at += Buffer.byteLength(w)));
      const cuts = [...new Set(cutSeeds.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let from = 0;
      for (const cut of cuts) {
        chunks.push(stream.subarray(from, cut));
        from = cut;
      }
      chunks.push(stream.subarray(from));
      assert.equal(feed(chunks).map(([end]) => end), expected);
    }),
    { numRuns: 300 },
  );
});

test.run();
