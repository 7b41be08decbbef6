import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc16, keySlot } from '../../src/cluster/slot.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { RawRespClient } from '../helpers/raw-resp-client.js';

let server: RedisProcess;
let raw: RawRespClient;
test.before(async () => {
  // CLUSTER KEYSLOT needs cluster mode but no slots assigned.
  server = await startRedis({ args: ['--cluster-enabled', 'yes'] });
  raw = await RawRespClient.connect(server);
});
test.after(async () => {
  await raw?.close();
  await server?.stop();
});

async function serverSlots(keys: Array<string | Buffer>): Promise<number[]> {
  const replies = await raw.send(...keys.map((key) => ['CLUSTER', 'KEYSLOT', key] as Array<string | Buffer>));
  return replies.map((reply) => {
    if (reply.kind !== ':') throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
    return reply.value;
  });
}

test('CRC16/XMODEM check value', () => {
  assert.is(crc16(Buffer.from('123456789')), 0x31c3);
  assert.is(crc16(Buffer.alloc(0)), 0);
});

test('hash-tag edge cases agree with CLUSTER KEYSLOT', async () => {
  const keys = [
    '', '{', '}', '{}', '}{', '{}{a}', '{a}{b}', '}{a}', '{a', 'a}', 'a{}b}', 'wp:{}{same}', '{{a}}', '{{}}', '{}a}', 'foo{bar}',
    '{user:1000}.name', 'user:{42}:name', '{42}:a', '{42}:b', 'a{b', 'x{y}z{w}', '{ }', '{\n}', 'é{ü}', 'ключ', '{ключ}x', '日本語{語}', '🙂', '{🙂}a',
  ];
  const expected = await serverSlots(keys);
  assert.equal(keys.map((key) => keySlot(key)), expected);
  assert.is(keySlot('{}{a}'), 13650); // the archived cluster-key-slot gives 10276
  assert.is(keySlot('{a}{b}'), keySlot('a'));
});

test('binary keys (Buffers, invalid UTF-8, braces as bytes) agree with CLUSTER KEYSLOT', async () => {
  const keys = [
    Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x01, 0x7d]),
    Buffer.from([0x7b, 0x7d, 0x7b, 0x80, 0x7d]),
    Buffer.from([0x00]),
    Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x41]),
    Buffer.alloc(0),
  ];
  const expected = await serverSlots(keys);
  assert.equal(keys.map((key) => keySlot(key)), expected);
  assert.is(keySlot(new Uint8Array([0x61])), keySlot('a'));
});

test('numbers and bigints hash as their decimal text', () => {
  assert.is(keySlot(42), keySlot('42'));
  assert.is(keySlot(12345678901234567890n), keySlot('12345678901234567890'));
  assert.is(keySlot(-1.5), keySlot('-1.5'));
});

test('5000 random keys (ASCII, Unicode, bytes, random braces) agree with CLUSTER KEYSLOT', async () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
  const alphabet = ['a', 'b', 'z', '0', ':', '{', '}', ' ', 'é', '🙂', '\u0000', '{', '}'];
  const strings: string[] = [];
  const buffers: Buffer[] = [];
  for (let i = 0; i < 4000; i++) {
    const length = Math.floor(random() * 12);
    let key = '';
    for (let j = 0; j < length; j++) key += alphabet[Math.floor(random() * alphabet.length)];
    strings.push(key);
  }
  for (let i = 0; i < 1000; i++) {
    const bytes = Buffer.alloc(Math.floor(random() * 10));
    for (let j = 0; j < bytes.length; j++) bytes[j] = random() < 0.3 ? (random() < 0.5 ? 0x7b : 0x7d) : Math.floor(random() * 256);
    buffers.push(bytes);
  }
  const expected = await serverSlots([...strings, ...buffers]);
  const actual = [...strings.map((key) => keySlot(key)), ...buffers.map((key) => keySlot(key))];
  const mismatches = actual.map((slot, i) => (slot === expected[i] ? null : i)).filter((i) => i !== null);
  assert.equal(mismatches, []);
});

test.run();
