/**
 * Splits the client→server byte stream into whole requests: RESP arrays (`*N` of bulk strings)
 * and, like redis-server, inline commands (a line that does not start with `*`).
 */
import { FrameScanner } from '../protocol/frame-scanner.js';
import { ProtocolError } from '../errors.js';

const STAR = 0x2a;
const LF = 0x0a;
const MAX_INLINE = 64 * 1024;

export class RequestReader {
  private readonly scanner = new FrameScanner();
  private pieces: Buffer[] = [];
  private inline = false;
  private inlineLength = 0;

  /** Calls `onRequest` with every request completed by `chunk`. Throws a ProtocolError on garbage. */
  push(chunk: Buffer, onRequest: (frame: Buffer) => void): void {
    let at = 0;
    while (at < chunk.length) {
      if (!this.inline && !this.scanner.inFrame && this.pieces.length === 0 && chunk[at] !== STAR) this.inline = true;
      let end: number;
      if (this.inline) {
        const newline = chunk.indexOf(LF, at);
        end = newline < 0 ? -1 : newline + 1;
        this.inlineLength += (end < 0 ? chunk.length : end) - at;
        if (this.inlineLength > MAX_INLINE) throw new ProtocolError('inline request too long');
      } else {
        end = this.scanner.next(chunk, at);
      }
      if (end < 0) {
        this.pieces.push(chunk.subarray(at));
        return;
      }
      const tail = chunk.subarray(at, end);
      const frame = this.pieces.length === 0 ? tail : Buffer.concat([...this.pieces, tail]);
      this.pieces = [];
      this.inline = false;
      this.inlineLength = 0;
      at = end;
      onRequest(frame);
    }
  }
}

/** The arguments of a whole request (views into `frame`), or null when it is not a list of bulk strings. */
export function parseArgs(frame: Buffer): Buffer[] | null {
  if (frame[0] !== STAR) return parseInline(frame);
  const args: Buffer[] = [];
  let at = frame.indexOf(LF) + 1;
  const count = Number(frame.toString('latin1', 1, at - 2));
  for (let i = 0; i < count; i++) {
    if (frame[at] !== 0x24) return null;
    const lineEnd = frame.indexOf(LF, at);
    const length = Number(frame.toString('latin1', at + 1, lineEnd - 1));
    const start = lineEnd + 1;
    args.push(frame.subarray(start, start + length));
    at = start + length + 2;
  }
  return args;
}

function parseInline(frame: Buffer): Buffer[] {
  const text = frame.toString('latin1').trim();
  if (text === '') return [];
  return text.split(/[ \t]+/).map((word) => Buffer.from(word, 'latin1'));
}

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
