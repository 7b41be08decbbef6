import type { RespArgument } from './types.js';

/**
 * Encodes one command as a RESP array of bulk strings. Commands made only of strings and numbers
 * (almost all of them) become a single string, which the connection can concatenate with its
 * neighbours into one socket write; a command with binary arguments becomes a Buffer.
 */
export function encodeCommand(args: readonly RespArgument[]): string | Buffer {
  let text = `*${args.length}\r\n`;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as RespArgument;
    if (typeof arg === 'string') {
      text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
    } else if (typeof arg === 'number' || typeof arg === 'bigint') {
      const digits = String(arg);
      text += `$${digits.length}\r\n${digits}\r\n`;
    } else {
      return encodeWithBinary(args);
    }
  }
  return text;
}

function encodeWithBinary(args: readonly RespArgument[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : typeof arg === 'object' ? Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength) : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n');

/** Validates command arguments at the API boundary, so a bad argument fails its own call only. */
export function isRespArgument(value: unknown): value is RespArgument {
  switch (typeof value) {
    case 'string':
    case 'bigint':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      return value instanceof Uint8Array;
    default:
      return false;
  }
}
