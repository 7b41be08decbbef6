import { RespDecoder } from '../../src/protocol/decoder.js';
import type { RespValue } from '../../src/protocol/types.js';
import type { RedisReplyError } from '../../src/errors.js';

export type Decoded = { kind: 'reply'; value: RespValue } | { kind: 'error'; error: RedisReplyError } | { kind: 'push'; frame: RespValue[] };

/** Decodes a whole byte sequence fed in the given chunks, returning everything delivered in order. */
export function decodeAll(chunks: Buffer[]): Decoded[] {
  const out: Decoded[] = [];
  const decoder = new RespDecoder({
    onReply: (value) => out.push({ kind: 'reply', value }),
    onErrorReply: (error) => out.push({ kind: 'error', error }),
    onPush: (frame) => out.push({ kind: 'push', frame }),
  });
  for (const chunk of chunks) decoder.feed(chunk);
  if (!decoder.idle) throw new Error('decoder holds a partial value at the end of input');
  return out;
}

/** Every way of cutting `bytes` into two chunks, plus byte-by-byte. */
export function splits(bytes: Buffer): Buffer[][] {
  const ways: Buffer[][] = [];
  for (let cut = 0; cut <= bytes.length; cut++) ways.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  ways.push([...bytes].map((byte) => Buffer.from([byte])));
  return ways;
}
