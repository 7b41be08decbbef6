import { ProtocolError, RedisReplyError } from '../errors.js';
import { bytes, expectEmpty, findCrlf, parseBigNumber, parseBoolean, parseDouble, parseInteger, parseLength, parseVerbatim, toObject, utf8 } from './scalars.js';
import type { RespValue } from './types.js';

export interface RespDecoderHandlers {
  /** A complete top-level reply (never an error, never a push). */
  onReply(value: RespValue): void;
  /** A top-level error reply (`-ERR …` or a bulk error). */
  onErrorReply(error: RedisReplyError): void;
  /** A RESP3 push frame (`>`): delivered here, never consumes a reply slot. */
  onPush(frame: RespValue[]): void;
  /** Asked as each reply starts: should its bulk strings be Buffers instead of strings? */
  wantsBuffers?(): boolean;
  /** Asked as each push frame starts: its bulk strings as Buffers? (a subscriber socket with binary listeners) */
  pushBuffers?(): boolean;
}

const enum Kind {
  Array,
  Set,
  Map,
  Push,
  Attribute,
}

interface Aggregate {
  kind: Kind;
  remaining: number;
  items: RespValue[];
}

/** Sentinel for "the buffer ends before this value does". */
const INCOMPLETE = Symbol('incomplete');
/** Sentinel for "an aggregate header was read; its elements follow". */
const OPENED = Symbol('opened');
type Step = RespValue | typeof INCOMPLETE | typeof OPENED;

/** What the decoder holds between chunks when nothing is pending (shared: a Buffer of length 0 cannot change). */
const EMPTY = Buffer.alloc(0);
const CR = 13;
const PUSH = 62;
const MAX_BULK_LENGTH = 512 * 1024 * 1024;
const MAX_AGGREGATE_LENGTH = 2 ** 32;

/**
 * Resumable RESP2/RESP3 decoder with no IO. Bytes arrive in arbitrary chunks through `feed()`;
 * complete values leave through the handlers. Partly received aggregates keep their finished
 * elements on a stack, and a large bulk string is gathered without re-scanning, so a reply split
 * across many chunks costs O(n). Bytes that are not RESP throw a ProtocolError, after which the
 * decoder must be `reset()` (the connection that fed it should be closed).
 */
export class RespDecoder {
  private buffer: Buffer = EMPTY;
  private offset = 0;
  private readonly stack: Aggregate[] = [];
  /** While a known-size value is incomplete: the chunks held back and how many more bytes it needs. */
  private held: Buffer[] = [];
  private needed = 0;
  /** Bulk strings of the reply being read become Buffers. */
  private binary = false;

  constructor(private readonly handlers: RespDecoderHandlers) {}

  /** Drops every partial value, e.g. after a ProtocolError or when the socket is replaced. */
  reset(): void {
    this.buffer = EMPTY;
    this.offset = 0;
    this.stack.length = 0;
    this.held = [];
    this.needed = 0;
  }

  /** True when no partial value is buffered: the stream is at a frame boundary. */
  get idle(): boolean {
    return this.stack.length === 0 && this.offset >= this.buffer.length && this.held.length === 0;
  }

  feed(chunk: Buffer): void {
    if (this.needed > 0) {
      this.held.push(chunk);
      this.needed -= chunk.length;
      if (this.needed > 0) return;
      chunk = Buffer.concat(this.held);
      this.held = [];
      this.needed = 0;
    } else if (this.offset < this.buffer.length) {
      chunk = Buffer.concat([this.buffer.subarray(this.offset), chunk]);
    }
    this.buffer = chunk;
    this.offset = 0;
    this.drain();
    // A chunk read to its end is let go: an idle socket does not pin its last read.
    if (this.offset >= this.buffer.length) {
      this.buffer = EMPTY;
      this.offset = 0;
    }
  }

  private drain(): void {
    const buffer = this.buffer;
    while (this.offset < buffer.length) {
      const start = this.offset;
      if (this.stack.length === 0) this.binary = buffer[start] === PUSH ? this.handlers.pushBuffers?.() === true : this.handlers.wantsBuffers?.() === true;
      const step = this.parseOne(buffer);
      if (step === INCOMPLETE) {
        this.offset = start;
        if (this.needed > 0) {
          this.held.push(buffer.subarray(start));
          this.buffer = EMPTY;
          this.offset = 0;
        }
        return;
      }
      if (step !== OPENED) this.complete(step);
    }
  }

  /** Places a finished value into the aggregate being built, closing every aggregate it fills. */
  private complete(value: RespValue): void {
    const stack = this.stack;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        this.deliver(value);
        return;
      }
      top.items.push(value);
      if (--top.remaining > 0) return;
      stack.pop();
      switch (top.kind) {
        case Kind.Array:
        case Kind.Set:
          value = top.items;
          break;
        case Kind.Map:
          value = toObject(top.items);
          break;
        case Kind.Push:
          if (stack.length === 0) {
            this.handlers.onPush(top.items);
            return;
          }
          value = top.items;
          break;
        case Kind.Attribute:
          // An attribute annotates the value that follows it; that value is what counts.
          return;
      }
    }
  }

  private deliver(value: RespValue): void {
    if (value instanceof RedisReplyError) this.handlers.onErrorReply(value);
    else this.handlers.onReply(value);
  }

  private parseOne(buffer: Buffer): Step {
    const start = this.offset;
    const type = buffer[start];
    switch (type) {
      case 43: // '+' simple string
        return this.line(buffer, start, utf8);
      case 45: // '-' error
        return this.line(buffer, start, (b, s, e) => new RedisReplyError(b.toString('utf8', s, e)));
      case 58: // ':' integer
        return this.line(buffer, start, parseInteger);
      case 36: // '$' bulk string
        return this.bulk(buffer, start, this.binary ? bytes : utf8);
      case 42: // '*' array
        return this.aggregate(buffer, start, Kind.Array, 1);
      case 95: // '_' null
        return this.line(buffer, start, expectEmpty);
      case 35: // '#' boolean
        return this.line(buffer, start, parseBoolean);
      case 44: // ',' double
        return this.line(buffer, start, parseDouble);
      case 40: // '(' big number
        return this.line(buffer, start, parseBigNumber);
      case 33: // '!' bulk error
        return this.bulk(buffer, start, (b, s, e) => new RedisReplyError(b.toString('utf8', s, e)));
      case 61: // '=' verbatim string: "fmt:" then the text
        return this.bulk(buffer, start, parseVerbatim);
      case 37: // '%' map
        return this.aggregate(buffer, start, Kind.Map, 2);
      case 126: // '~' set
        return this.aggregate(buffer, start, Kind.Set, 1);
      case 124: // '|' attribute
        return this.aggregate(buffer, start, Kind.Attribute, 2);
      case 62: // '>' push
        return this.aggregate(buffer, start, Kind.Push, 1);
      default:
        throw new ProtocolError(`Unexpected RESP type byte 0x${(type ?? 0).toString(16).padStart(2, '0')} at offset ${start}`);
    }
  }

  /** A value on one line: `<type><text>\r\n`. */
  private line(buffer: Buffer, start: number, read: (b: Buffer, s: number, e: number) => RespValue): Step {
    const end = findCrlf(buffer, start + 1);
    if (end === -1) return INCOMPLETE;
    this.offset = end + 2;
    return read(buffer, start + 1, end);
  }

  /** `<type><length>\r\n<payload>\r\n`; `$-1` is the RESP2 null bulk string. */
  private bulk(buffer: Buffer, start: number, read: (b: Buffer, s: number, e: number) => RespValue): Step {
    const headerEnd = findCrlf(buffer, start + 1);
    if (headerEnd === -1) return INCOMPLETE;
    const length = parseLength(buffer, start + 1, headerEnd);
    if (length === -1) {
      this.offset = headerEnd + 2;
      return null;
    }
    if (length < 0 || length > MAX_BULK_LENGTH) throw new ProtocolError(`Invalid bulk length ${length}`);
    const payload = headerEnd + 2;
    const end = payload + length;
    if (end + 2 > buffer.length) {
      this.needed = end + 2 - buffer.length;
      return INCOMPLETE;
    }
    if (buffer[end] !== CR || buffer[end + 1] !== 10) throw new ProtocolError('Bulk payload is not followed by CRLF');
    this.offset = end + 2;
    return read(buffer, payload, end);
  }

  private aggregate(buffer: Buffer, start: number, kind: Kind, perEntry: number): Step {
    const headerEnd = findCrlf(buffer, start + 1);
    if (headerEnd === -1) return INCOMPLETE;
    const count = parseLength(buffer, start + 1, headerEnd);
    this.offset = headerEnd + 2;
    if (count === -1 && kind === Kind.Array) return null;
    if (count < 0 || count > MAX_AGGREGATE_LENGTH) throw new ProtocolError(`Invalid aggregate length ${count}`);
    if (count === 0) {
      if (kind === Kind.Attribute) return OPENED;
      if (kind === Kind.Push) {
        // An empty push carries no type; there is nothing to route.
        if (this.stack.length === 0) return OPENED;
        return [];
      }
      return kind === Kind.Map ? {} : [];
    }
    this.stack.push({ kind, remaining: count * perEntry, items: [] });
    return OPENED;
  }
}
