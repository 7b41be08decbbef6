/**
 * The server→client side of one proxied connection. Upstream bytes are forwarded as they come
 * (after an optional delay), scanned for frame boundaries on the way, so that:
 * - a synthetic reply (the proxy's own `+OK`) goes out right after the upstream reply it follows;
 * - injected frames go out only between two frames, never inside one;
 * - a "cut" fault can end the connection in the middle of a reply.
 * Upstream push frames (`>`) are not replies and are not counted.
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

interface Synthetic extends Pending {
  /** Goes out once this many upstream replies have been written. */
  at: number;
}

export class ReplyWriter {
  /** Upstream replies (not pushes) written to the client so far. */
  repliesWritten = 0;
  private readonly scanner = new FrameScanner();
  private mid = false;
  private readonly synthetic: Synthetic[] = [];
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

  /** Queues the proxy's own reply to go out after upstream reply number `at`. */
  reply(at: number, bytes: Buffer, written?: () => void): void {
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
      if (this.cut && !this.scanner.inFrame && chunk[at] !== RespType.Push) {
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
      if (end < 0) {
        this.mid = true;
        break;
      }
      at = end;
      this.mid = false;
      if (this.scanner.lastFrameType !== RespType.Push) this.repliesWritten++;
      if (this.hasDue()) {
        this.flushSegment(chunk, segment, at);
        segment = at;
        this.flush();
      }
    }
    this.flushSegment(chunk, segment, chunk.length);
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
        this.sink.write(head.bytes);
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
