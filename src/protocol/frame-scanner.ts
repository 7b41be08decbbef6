/**
 * A pure, resumable scanner that finds where each complete RESP2/RESP3 frame ends in a byte
 * stream, without building values. Feed it chunks as they arrive (split anywhere); it keeps its
 * place between chunks, so the work is O(n) over the stream: a bulk payload is skipped by
 * arithmetic, never rescanned.
 *
 * A "frame" is one top-level value, together with any attributes (`|`) that precede it (they
 * annotate it and are not values of their own). `lastFrameType` tells the type byte of the value
 * a completed frame carries, e.g. {@link RespType.Push} for a push.
 *
 * Garbage (an unknown type byte, a malformed length or number, a missing CRLF) throws a
 * {@link ProtocolError}; the scanner is then unusable until {@link FrameScanner.reset}.
 */
import { ProtocolError } from '../errors.js';

/** RESP type bytes. */
export const RespType = {
  SimpleString: 0x2b, // +
  SimpleError: 0x2d, // -
  Integer: 0x3a, // :
  BulkString: 0x24, // $
  Array: 0x2a, // *
  Null: 0x5f, // _
  Boolean: 0x23, // #
  Double: 0x2c, // ,
  BigNumber: 0x28, // (
  BulkError: 0x21, // !
  VerbatimString: 0x3d, // =
  Map: 0x25, // %
  Set: 0x7e, // ~
  Attribute: 0x7c, // |
  Push: 0x3e, // >
} as const;

const CR = 0x0d;
const LF = 0x0a;
const MINUS = 0x2d;

// Scanner states: expecting a type byte | inside a header line | header saw CR, expecting LF |
// skipping a bulk payload | payload done, expecting CR | expecting LF after the payload.
const [S_TYPE, S_LINE, S_LF, S_DATA, S_DATA_CR, S_DATA_LF] = [0, 1, 2, 3, 4, 5] as const;

// How a header line is read: a length or count (-1 or digits) | an integer (sign, digits) |
// text (anything but CR, LF) | a double | a boolean (t or f) | nothing (null).
const [L_LENGTH, L_INTEGER, L_TEXT, L_DOUBLE, L_BOOLEAN, L_EMPTY] = [0, 1, 2, 3, 4, 5] as const;

const MAX_DIGITS = 15; // keeps lengths within Number.MAX_SAFE_INTEGER

/** How the header line of each type byte is read; -1 for a byte that is not a RESP type. */
const LINE_KIND = new Int8Array(256).fill(-1);
for (const type of '$!=*%~|>') LINE_KIND[type.charCodeAt(0)] = L_LENGTH;
for (const type of ':(') LINE_KIND[type.charCodeAt(0)] = L_INTEGER;
LINE_KIND[RespType.SimpleString] = LINE_KIND[RespType.SimpleError] = L_TEXT;
LINE_KIND[RespType.Double] = L_DOUBLE;
LINE_KIND[RespType.Boolean] = L_BOOLEAN;
LINE_KIND[RespType.Null] = L_EMPTY;

/** Bytes a double may hold: digits, sign, '.', exponent, and the letters of inf / nan. */
const DOUBLE_BYTES = new Uint8Array(256);
for (const char of '0123456789.+-eEiInNfFaA') DOUBLE_BYTES[char.charCodeAt(0)] = 1;

function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, '0')}`;
}

export class FrameScanner {
  private state: number = S_TYPE;
  private type = 0;
  private kind: number = L_LENGTH;
  // Header line accumulation (numbers are parsed digit by digit, text is only checked).
  private negative = false;
  private digits = 0;
  private value = 0;
  private lineBytes = 0;
  private remaining = 0; // bulk payload bytes still to skip
  // Open aggregates: elements still expected, and whether each one is an attribute.
  private readonly counts: number[] = [];
  private readonly attributes: boolean[] = [];
  private depth = 0;
  private started = false;
  private frameType = 0;
  private pendingType = 0;
  private offset = 0; // bytes consumed over the whole stream, for error messages

  /** True when the bytes seen so far end inside a frame. */
  get inFrame(): boolean {
    return this.started;
  }

  /** The type byte of the value carried by the last completed frame (after attributes). */
  get lastFrameType(): number {
    return this.frameType;
  }

  /** Total bytes consumed since construction or the last reset. */
  get position(): number {
    return this.offset;
  }

  reset(): void {
    this.state = S_TYPE;
    this.depth = 0;
    this.counts.length = 0;
    this.attributes.length = 0;
    this.started = false;
    this.frameType = 0;
    this.pendingType = 0;
    this.offset = 0;
  }

  /**
   * Scans `chunk` from `start` and returns the offset just past the end of the next complete
   * frame (which may have begun in an earlier chunk), or -1 when the chunk ends first; the
   * scanner then resumes with the next chunk.
   */
  next(chunk: Uint8Array, start = 0): number {
    let i = start;
    const length = chunk.length;
    while (i < length) {
      switch (this.state) {
        case S_DATA: {
          const take = Math.min(this.remaining, length - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = S_DATA_CR;
          break;
        }
        case S_TYPE: {
          const byte = chunk[i] as number;
          const kind = LINE_KIND[byte] as number;
          if (kind < 0) this.fail(`unexpected byte ${printable(byte)} where a RESP type was expected`, i, start);
          this.type = byte;
          this.kind = kind;
          this.negative = false;
          this.digits = 0;
          this.value = 0;
          this.lineBytes = 0;
          if (this.depth === 0 && byte !== RespType.Attribute) this.pendingType = byte;
          this.started = true;
          this.state = S_LINE;
          i++;
          break;
        }
        case S_LINE: {
          const byte = chunk[i] as number;
          i++;
          if (byte === CR) {
            this.state = S_LF;
          } else {
            this.lineByte(byte, i - 1, start);
          }
          break;
        }
        case S_LF: {
          const byte = chunk[i] as number;
          if (byte !== LF) this.fail(`expected LF after CR, got ${printable(byte)}`, i, start);
          // Errors found at the end of a line point at its CR.
          if (this.endLine(i - 1, start)) return this.frameEnd(i + 1, start);
          i++;
          break;
        }
        case S_DATA_CR: {
          const byte = chunk[i] as number;
          if (byte !== CR) this.fail(`bulk payload longer than its declared length (got ${printable(byte)}, expected CR)`, i, start);
          i++;
          this.state = S_DATA_LF;
          break;
        }
        default: {
          // S_DATA_LF
          const byte = chunk[i] as number;
          if (byte !== LF) this.fail(`expected LF after a bulk payload, got ${printable(byte)}`, i, start);
          i++;
          this.state = S_TYPE;
          if (this.completeValue(false)) return this.frameEnd(i, start);
        }
      }
    }
    this.offset += length - start;
    return -1;
  }

  private frameEnd(i: number, start: number): number {
    this.offset += i - start;
    this.started = false;
    this.frameType = this.pendingType;
    return i;
  }

  private lineByte(byte: number, at: number, start: number): void {
    const position = this.lineBytes++;
    switch (this.kind) {
      case L_LENGTH:
      case L_INTEGER:
        if (byte === MINUS && position === 0) {
          this.negative = true;
          return;
        }
        if (byte === 0x2b && position === 0 && this.kind === L_INTEGER) return;
        if (byte < 0x30 || byte > 0x39) this.fail(`invalid digit ${printable(byte)} in a '${String.fromCharCode(this.type)}' value`, at, start);
        this.digits++;
        // Only lengths and counts are needed as numbers; integers and big numbers are just checked.
        if (this.kind === L_LENGTH) {
          if (this.digits > MAX_DIGITS) this.fail(`length too long in a '${String.fromCharCode(this.type)}' header`, at, start);
          this.value = this.value * 10 + (byte - 0x30);
        }
        return;
      case L_TEXT:
        if (byte === LF) this.fail('LF without CR inside a simple string', at, start);
        return;
      case L_DOUBLE:
        if (DOUBLE_BYTES[byte] !== 1) this.fail(`invalid character ${printable(byte)} in a double`, at, start);
        return;
      case L_BOOLEAN:
        if (position > 0 || (byte !== 0x74 && byte !== 0x66)) this.fail(`invalid boolean ${printable(byte)}`, at, start);
        return;
      default:
        this.fail(`unexpected ${printable(byte)} in a null`, at, start);
    }
  }

  /** Handles a finished header line; true when it finished the frame. */
  private endLine(at: number, start: number): boolean {
    const type = String.fromCharCode(this.type);
    switch (this.kind) {
      case L_LENGTH: {
        if (this.digits === 0) this.fail(`missing length in a '${type}' header`, at, start);
        if (this.negative) {
          // Only the RESP2 nulls: $-1 and *-1.
          if (this.value !== 1 || (this.type !== RespType.BulkString && this.type !== RespType.Array)) {
            this.fail(`invalid length -${this.value} in a '${type}' header`, at, start);
          }
          this.state = S_TYPE;
          return this.completeValue(false);
        }
        const n = this.value;
        if (this.type === RespType.BulkString || this.type === RespType.BulkError || this.type === RespType.VerbatimString) {
          this.remaining = n;
          this.state = n === 0 ? S_DATA_CR : S_DATA;
          return false;
        }
        this.state = S_TYPE;
        const isAttribute = this.type === RespType.Attribute;
        const elements = this.type === RespType.Map || isAttribute ? n * 2 : n;
        if (elements === 0) return this.completeValue(isAttribute);
        this.counts[this.depth] = elements;
        this.attributes[this.depth] = isAttribute;
        this.depth++;
        return false;
      }
      case L_INTEGER:
        if (this.digits === 0) this.fail(`missing digits in a '${type}' value`, at, start);
        break;
      case L_DOUBLE:
      case L_BOOLEAN:
        if (this.lineBytes === 0) this.fail(`empty '${type}' value`, at, start);
        break;
    }
    this.state = S_TYPE;
    return this.completeValue(false);
  }

  /** Records that a value ended; true when that completed a top-level frame. */
  private completeValue(isAttribute: boolean): boolean {
    let attribute = isAttribute;
    for (;;) {
      // An attribute is not an element: the value it annotates follows and counts instead.
      if (attribute) return false;
      if (this.depth === 0) return true;
      const top = this.depth - 1;
      const left = (this.counts[top] as number) - 1;
      if (left > 0) {
        this.counts[top] = left;
        return false;
      }
      attribute = this.attributes[top] as boolean;
      this.depth = top;
    }
  }

  private fail(message: string, at: number, start: number): never {
    throw new ProtocolError(`${message} at stream offset ${this.offset + (at - start)}`);
  }
}

/** Returns the end offsets of every frame completed within `chunk`, resuming `scanner`'s state. */
export function scanFrames(scanner: FrameScanner, chunk: Uint8Array): number[] {
  const ends: number[] = [];
  let at = 0;
  while (at < chunk.length) {
    const end = scanner.next(chunk, at);
    if (end < 0) break;
    ends.push(end);
    at = end;
  }
  return ends;
}
