/**
 * The server→client side of one proxied connection. Upstream bytes are forwarded as they come
 * (after an optional delay), scanned for frame boundaries on the way, so that:
 * - a synthetic reply (the proxy's own `+OK`) goes out right after the upstream reply it follows;
 * - injected frames go out only between two frames, never inside one;
 * - a "cut" fault can end the connection in the middle of a reply.
 * Upstream push frames (`>`) are not replies and are not counted; nor are RESP2 pub/sub messages
 * (`message`/`pmessage`/`smessage` arrays) while the server holds the connection subscribed (told
 * by the confirmations' counts), so that the count of replies written stays exact.
 */
import { FrameScanner, RespType } from '../protocol/frame-scanner.js';

export interface WriterSink {
  /** Writes to the client socket; false asks the writer's owner to apply backpressure. */
  write(bytes: Buffer): boolean;
  /** The connection must be destroyed (cut fault, garbage from upstream). */
  destroy(reason: string): void;
}

interface Pending {
  bytes: Buffer;
  written?: () => void;
}

interface Synthetic {
  /** Goes out once this many upstream replies have been written; built then when a function. */
  bytes: Buffer | (() => Buffer);
  written?: () => void;
  at: number;
}

interface Watch {
  /** The upstream reply number watched. */
  at: number;
  /** Gets the reply's RESP type byte once it is written (null: it had gone by already). */
  seen(type: number | null): void;
}

const MESSAGES = new Set(['message', 'pmessage', 'smessage']);
const CONFIRMATIONS: Record<string, 'regular' | 'shard'> = {
  subscribe: 'regular',
  unsubscribe: 'regular',
  psubscribe: 'regular',
  punsubscribe: 'regular',
  ssubscribe: 'shard',
  sunsubscribe: 'shard',
};
/** How much of an array frame is kept to classify it (its first element and, for confirmations, the count). */
const HEAD_LIMIT = 64 * 1024;

export class ReplyWriter {
  /** Upstream replies (not pushes) written to the client so far. */
  repliesWritten = 0;
  private readonly scanner = new FrameScanner();
  private mid = false;
  private readonly synthetic: Synthetic[] = [];
  private readonly watches: Watch[] = [];
  /** Set once the client sent a RESP2 (un)subscribe: array frames are then looked into. */
  private trackPubsub = false;
  /** Subscription counts the server reported in its RESP2 confirmations. */
  private readonly subscribed = { regular: 0, shard: 0 };
  private head: Buffer[] = [];
  private headLength = 0;
  private readonly injections: Pending[] = [];
  private readonly delayed: Array<{ due: number; chunk: Buffer }> = [];
  private timer: NodeJS.Timeout | null = null;
  private delayMs = 0;
  private cut: (() => void) | null = null;
  private closed = false;
  private onIdle: (() => void) | null = null;

  constructor(private readonly sink: WriterSink) {}

  /** Extra delay for every upstream chunk from now on (ms). */
  setDelay(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  /** True while bytes written to the client end inside a frame. */
  get midFrame(): boolean {
    return this.mid;
  }

  receive(chunk: Buffer): void {
    if (this.closed) return;
    if (this.delayMs > 0 || this.delayed.length > 0) {
      this.delayed.push({ due: Date.now() + this.delayMs, chunk });
      this.arm();
      return;
    }
    this.process(chunk);
  }

  /** True while the server holds this (RESP2) connection subscribed, as its confirmations said. */
  get serverSubscribed(): boolean {
    return this.subscribed.regular > 0 || this.subscribed.shard > 0;
  }

  /** The client sent a RESP2 (un)subscribe: from now on, tell pub/sub messages from replies. */
  watchPubsub(): void {
    this.trackPubsub = true;
  }

  /** The server forgot the connection's subscriptions (RESET). */
  forgetSubscriptions(): void {
    this.subscribed.regular = this.subscribed.shard = 0;
  }

  /** Calls `seen` with the type of upstream reply number `at` once it is written. */
  watchReply(at: number, seen: (type: number | null) => void): void {
    if (at <= this.repliesWritten) {
      seen(null);
      return;
    }
    this.watches.push({ at, seen });
  }

  /** Queues the proxy's own reply to go out after upstream reply number `at` (built then, when a function). */
  reply(at: number, bytes: Buffer | (() => Buffer), written?: () => void): void {
    this.synthetic.push(written === undefined ? { at, bytes } : { at, bytes, written });
    this.flush();
  }

  /** Queues bytes for the next frame boundary (now, when the client stream is between frames). */
  inject(bytes: Buffer, written?: () => void): void {
    this.injections.push(written === undefined ? { bytes } : { bytes, written });
    this.flush();
  }

  /** Arms the cut fault: the next upstream reply is written only in part, then the connection is destroyed. */
  cutNextReply(done: (() => void) | null): void {
    this.cut = done;
  }

  /** Calls `done` once every delayed chunk has been written (at once when none is waiting). */
  whenIdle(done: () => void): void {
    if (this.delayed.length === 0) done();
    else this.onIdle = done;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.delayed.length = 0;
  }

  private arm(): void {
    if (this.timer || this.delayed.length === 0) return;
    const head = this.delayed[0] as { due: number };
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = Date.now();
      while (!this.closed && this.delayed.length > 0 && (this.delayed[0] as { due: number }).due <= now) {
        this.process((this.delayed.shift() as { chunk: Buffer }).chunk);
      }
      if (this.delayed.length > 0) this.arm();
      else if (this.onIdle) {
        const idle = this.onIdle;
        this.onIdle = null;
        idle();
      }
    }, Math.max(0, head.due - Date.now()));
  }

  private process(chunk: Buffer): void {
    let segment = 0;
    let at = 0;
    while (at < chunk.length) {
      const start = at;
      const starting = !this.scanner.inFrame;
      if (this.cut && starting && chunk[at] !== RespType.Push) {
        this.flushSegment(chunk, segment, at);
        this.cutHere(chunk, at);
        return;
      }
      let end: number;
      try {
        end = this.scanner.next(chunk, at);
      } catch (error) {
        this.flushSegment(chunk, segment, at);
        this.sink.destroy(`protocol error from upstream: ${(error as Error).message}`);
        this.close();
        return;
      }
      const array = this.trackPubsub && (starting ? chunk[start] === RespType.Array : this.head.length > 0);
      if (array) this.keepHead(chunk.subarray(start, end < 0 ? chunk.length : end));
      if (end < 0) {
        this.mid = true;
        break;
      }
      at = end;
      this.mid = false;
      const type = this.scanner.lastFrameType;
      let isReply = type !== RespType.Push;
      if (array) {
        isReply = this.classifyArray(Buffer.concat(this.head));
        this.head = [];
        this.headLength = 0;
      }
      if (isReply) this.repliesWritten++;
      const watch = this.watches[0];
      if (watch !== undefined && watch.at <= this.repliesWritten) {
        this.flushSegment(chunk, segment, at);
        segment = at;
        while (this.watches[0] !== undefined && this.watches[0].at <= this.repliesWritten) (this.watches.shift() as Watch).seen(type);
      }
      if (this.hasDue()) {
        this.flushSegment(chunk, segment, at);
        segment = at;
        this.flush();
      }
    }
    this.flushSegment(chunk, segment, chunk.length);
  }

  private keepHead(piece: Buffer): void {
    if (this.headLength >= HEAD_LIMIT) return;
    const kept = piece.subarray(0, HEAD_LIMIT - this.headLength);
    this.head.push(Buffer.from(kept));
    this.headLength += kept.length;
  }

  /** Whether a (RESP2) array frame is a reply; notes the subscription counts its confirmations carry. */
  private classifyArray(frame: Buffer): boolean {
    const elements = arrayHead(frame);
    const name = typeof elements[0] === 'string' ? elements[0].toLowerCase() : '';
    if (MESSAGES.has(name) && this.serverSubscribed) return false;
    const family = CONFIRMATIONS[name];
    if (family !== undefined && elements.length === 3 && typeof elements[2] === 'number') this.subscribed[family] = elements[2];
    return true;
  }

  private flushSegment(chunk: Buffer, from: number, to: number): void {
    if (to > from) this.sink.write(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
  }

  private cutHere(chunk: Buffer, at: number): void {
    const end = this.scanner.next(chunk, at);
    const available = (end < 0 ? chunk.length : end) - at;
    this.sink.write(chunk.subarray(at, at + Math.max(1, Math.floor(available / 2))));
    const done = this.cut as () => void;
    this.cut = null;
    this.close();
    this.sink.destroy('cut mid-reply');
    done();
  }

  private hasDue(): boolean {
    const head = this.synthetic[0];
    return (head !== undefined && head.at <= this.repliesWritten) || this.injections.length > 0;
  }

  private flush(): void {
    if (this.mid || this.closed) return;
    for (;;) {
      const head = this.synthetic[0];
      if (head !== undefined && head.at <= this.repliesWritten) {
        this.synthetic.shift();
        this.sink.write(typeof head.bytes === 'function' ? head.bytes() : head.bytes);
        head.written?.();
        continue;
      }
      const next = this.injections.shift();
      if (next === undefined) return;
      this.sink.write(next.bytes);
      next.written?.();
    }
  }
}

/**
 * The leading bulk-string, integer and null elements of a RESP array frame (as strings, numbers,
 * null), up to the first other element or the end of the bytes given.
 */
function arrayHead(frame: Buffer): Array<string | number | null> {
  const out: Array<string | number | null> = [];
  let lineEnd = frame.indexOf('\r\n');
  if (frame[0] !== RespType.Array || lineEnd < 0) return out;
  const count = Number(frame.toString('latin1', 1, lineEnd));
  let at = lineEnd + 2;
  for (let i = 0; i < count && at < frame.length; i++) {
    lineEnd = frame.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const line = frame.toString('latin1', at + 1, lineEnd);
    if (frame[at] === RespType.Integer) {
      out.push(Number(line));
      at = lineEnd + 2;
    } else if (frame[at] === RespType.BulkString) {
      const length = Number(line);
      if (length < 0) {
        out.push(null);
        at = lineEnd + 2;
        continue;
      }
      if (lineEnd + 2 + length > frame.length) break;
      out.push(frame.toString('latin1', lineEnd + 2, lineEnd + 2 + length));
      at = lineEnd + 4 + length;
    } else break;
  }
  return out;
}
