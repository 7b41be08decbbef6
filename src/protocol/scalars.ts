import { ProtocolError } from '../errors.js';
import type { RespValue } from './types.js';

/** Reading the one-line and bulk scalars of RESP: pure functions over a byte range. */

const CR = 13;
/** A header or simple line longer than this is garbage, not a line still arriving. */
export const MAX_LINE_LENGTH = 64 * 1024;

export function findCrlf(buffer: Buffer, from: number): number {
  const cr = buffer.indexOf(CR, from);
  if (cr === -1) {
    if (buffer.length - from > MAX_LINE_LENGTH) throw new ProtocolError(`No CRLF within ${MAX_LINE_LENGTH} bytes`);
    return -1;
  }
  if (cr + 1 >= buffer.length) return -1;
  if (buffer[cr + 1] !== 10) throw new ProtocolError('CR not followed by LF');
  return cr;
}

export function parseLength(buffer: Buffer, start: number, end: number): number {
  if (end - start === 2 && buffer[start] === 45 && buffer[start + 1] === 49) return -1; // "-1"
  return parseDigits(buffer, start, end, 'length');
}

function parseDigits(buffer: Buffer, start: number, end: number, what: string): number {
  if (start === end) throw new ProtocolError(`Empty ${what}`);
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (buffer[i] as number) - 48;
    if (digit < 0 || digit > 9) throw new ProtocolError(`Invalid ${what} "${buffer.toString('latin1', start, end)}"`);
    value = value * 10 + digit;
  }
  return value;
}

/** An integer reply; beyond ±2^53 (where a number loses digits) a bigint. */
export function parseInteger(buffer: Buffer, start: number, end: number): number | bigint {
  const sign = buffer[start];
  const digitsFrom = sign === 45 || sign === 43 ? start + 1 : start;
  const magnitude = parseDigits(buffer, digitsFrom, end, 'integer');
  if (magnitude > Number.MAX_SAFE_INTEGER) return BigInt(buffer.toString('latin1', start, end));
  return sign === 45 ? -magnitude : magnitude;
}

export function expectEmpty(_buffer: Buffer, start: number, end: number): null {
  if (start !== end) throw new ProtocolError('Null with a payload');
  return null;
}

export function parseBoolean(buffer: Buffer, start: number, end: number): boolean {
  if (end - start === 1) {
    if (buffer[start] === 116) return true; // 't'
    if (buffer[start] === 102) return false; // 'f'
  }
  throw new ProtocolError(`Invalid boolean "${buffer.toString('latin1', start, end)}"`);
}

export function parseDouble(buffer: Buffer, start: number, end: number): number {
  const text = buffer.toString('latin1', start, end);
  switch (text) {
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
    case '-nan':
      return NaN;
  }
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new ProtocolError(`Invalid double "${text}"`);
  return value;
}

export function parseBigNumber(buffer: Buffer, start: number, end: number): bigint {
  const text = buffer.toString('latin1', start, end);
  if (!/^[-+]?\d+$/.test(text)) throw new ProtocolError(`Invalid big number "${text}"`);
  return BigInt(text);
}

export function parseVerbatim(buffer: Buffer, start: number, end: number): string {
  if (end - start < 4 || buffer[start + 3] !== 58) throw new ProtocolError('Verbatim string without a format prefix');
  return buffer.toString('utf8', start + 4, end);
}

export function toObject(items: RespValue[]): { [key: string]: RespValue } {
  const object: { [key: string]: RespValue } = {};
  for (let i = 0; i < items.length; i += 2) {
    const key = String(items[i]);
    const value = items[i + 1] as RespValue;
    // Assigning "__proto__" would replace the prototype instead of adding a key.
    if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    else object[key] = value;
  }
  return object;
}

export function utf8(buffer: Buffer, start: number, end: number): string {
  return buffer.toString('utf8', start, end);
}

/** A copy, so that a small value does not keep a whole socket chunk alive. */
export function bytes(buffer: Buffer, start: number, end: number): Buffer {
  return Buffer.from(buffer.subarray(start, end));
}
