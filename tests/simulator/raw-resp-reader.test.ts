/** The raw RESP test client's own reader (it shares no parsing code with hitless). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, plain, readNode, type RespNode } from '../helpers/raw-resp-client.js';

const FRAMES = [
  '+OK\r\n',
  '-ERR wrong\r\n',
  ':-42\r\n',
  '$5\r\nhé\r\n\r\n',
  '$-1\r\n',
  '*-1\r\n',
  '_\r\n',
  '#t\r\n',
  ',3.5\r\n',
  '(123456789012345678901234567890\r\n',
  '!3\r\nbad\r\n',
  '=8\r\ntxt:abcd\r\n',
  '*2\r\n$1\r\na\r\n*1\r\n:1\r\n',
  '%1\r\n+k\r\n~2\r\n:1\r\n:2\r\n',
  '|1\r\n+ttl\r\n:3\r\n$2\r\nhi\r\n',
  '>4\r\n$6\r\nMOVING\r\n:7\r\n:15\r\n$14\r\n127.0.0.1:6380\r\n',
];

const EXPECTED: unknown[] = ['OK', 'ERR wrong', -42, 'hé\r\n', null, null, null, true, '3.5', '123456789012345678901234567890', 'bad', 'txt:abcd', ['a', [1]], ['k', [1, 2]], 'hi', ['MOVING', 7, 15, '127.0.0.1:6380']];

function readAll(bytes: Buffer): { nodes: RespNode[]; rest: number } {
  const nodes: RespNode[] = [];
  let at = 0;
  for (let read = readNode(bytes, at); read !== null; read = readNode(bytes, at)) {
    nodes.push(read[0]);
    at = read[1];
  }
  return { nodes, rest: bytes.length - at };
}

test('reads every RESP2/RESP3 type, keeping wire kinds, attributes dropped', () => {
  const nodes = FRAMES.map((frame) => parse(Buffer.from(frame)));
  assert.equal(nodes.map(plain), EXPECTED);
  assert.equal(nodes.map((node) => node.kind), ['+', '-', ':', '$', '$', '*', '_', '#', ',', '(', '!', '=', '*', '%', '$', '>']);
});

test('a frame cut anywhere is not read until it is whole', () => {
  const bytes = Buffer.from(FRAMES.join(''));
  for (let cut = 0; cut <= bytes.length; cut++) {
    const head = readAll(bytes.subarray(0, cut));
    const whole = readAll(bytes);
    assert.equal(head.nodes, whole.nodes.slice(0, head.nodes.length), `cut at ${cut}`);
    assert.ok(head.nodes.length < FRAMES.length || cut === bytes.length, `cut at ${cut}: ${head.nodes.length} frames`);
  }
  assert.equal(readAll(bytes).nodes.map(plain), EXPECTED);
  assert.is(readAll(bytes).rest, 0);
});

test('bad input is refused clearly', () => {
  assert.throws(() => parse(Buffer.from('?x\r\n')), /unexpected RESP type byte "\?"/);
  assert.throws(() => parse(Buffer.from('+OK\r\n+OK\r\n')), /not one whole RESP frame/);
  assert.throws(() => parse(Buffer.from('$3\r\nab')), /not one whole RESP frame/);
});

test.run();
