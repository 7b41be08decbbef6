/**
 * The hash slot of a key: CRC16/XMODEM (polynomial 0x1021, initial value 0) of the key, or of its
 * hash tag, modulo 16384. The hash tag is what lies between the first `{` and the first `}` after
 * it, when that is not empty; otherwise the whole key is hashed (so `{}{a}` hashes all five bytes).
 * Strings are hashed as their UTF-8 bytes, numbers as their decimal text, as the server sees them.
 */
import type { RespArgument } from '../protocol/types.js';

export const SLOT_COUNT = 16384;

const TABLE = new Uint16Array(256);
for (let byte = 0; byte < 256; byte++) {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
  TABLE[byte] = crc & 0xffff;
}

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

/** CRC16/XMODEM of bytes[start, end). */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xff00) ^ (TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number);
  return crc;
}

function slotOfBytes(bytes: Uint8Array): number {
  const open = bytes.indexOf(OPEN);
  if (open !== -1) {
    const close = bytes.indexOf(CLOSE, open + 1);
    if (close > open + 1) return crc16(bytes, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(bytes) & (SLOT_COUNT - 1);
}

/** A string's slot without encoding it when it is ASCII (the common case on the per-command path). */
function slotOfString(key: string): number {
  const length = key.length;
  for (let i = 0; i < length; i++) if (key.charCodeAt(i) > 0x7f) return slotOfBytes(Buffer.from(key, 'utf8'));
  let start = 0;
  let end = length;
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xff00) ^ (TABLE[((crc >> 8) ^ key.charCodeAt(i)) & 0xff] as number);
  return crc & (SLOT_COUNT - 1);
}

/** The hash slot (0…16383) of a key. */
export function keySlot(key: RespArgument): number {
  if (typeof key === 'string') return slotOfString(key);
  if (key instanceof Uint8Array) return slotOfBytes(key);
  return slotOfString(String(key));
}
