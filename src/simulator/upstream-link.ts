/**
 * One socket from the proxy to a Redis server. It can swallow the answers to commands the proxy
 * sent on its own (state replayed after a failover) before handing bytes on: a number of
 * replies, and push frames of given types (RESP3 subscribe confirmations).
 */
import { connect, type Socket } from 'node:net';
import { FrameScanner, RespType } from '../protocol/frame-scanner.js';
import type { HostPort } from './types.js';

const PING = Buffer.from('*1\r\n$4\r\nPING\r\n');

export interface UpstreamHandlers {
  data(chunk: Buffer): void;
  closed(reason: string): void;
  drain(): void;
}

export class UpstreamLink {
  private readonly socket: Socket;
  private replies = 0;
  private readonly pushes = new Map<string, number>();
  private readonly scanner = new FrameScanner();
  private pieces: Buffer[] = [];
  private detached = false;
  private swallowed: Array<() => void> = [];

  constructor(
    readonly target: HostPort,
    private readonly handlers: UpstreamHandlers,
  ) {
    this.socket = connect({ host: target.host, port: target.port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => this.handlers.drain());
    this.socket.on('error', () => {
      // reported through 'close'
    });
    this.socket.on('close', (hadError) => {
      this.settleSwallowed();
      if (!this.detached) this.handlers.closed(hadError ? 'upstream error' : 'upstream closed');
    });
  }

  get address(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** Gathers the writes until {@link uncork} into one. */
  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  /** Drops the next `count` replies from this server. */
  swallowReplies(count: number): void {
    this.replies += count;
  }

  /** Drops the next `count` push frames of type `type` (e.g. `subscribe`). */
  swallowPushes(type: string, count: number): void {
    this.pushes.set(type, (this.pushes.get(type) ?? 0) + count);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** A PING of the proxy's own, its reply swallowed: resolves once everything the server sent before it has been handed on (at most `boundMs`). */
  async roundTrip(boundMs: number): Promise<void> {
    this.swallowReplies(1);
    this.write(PING);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.whenSwallowed(), new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)))]);
    clearTimeout(timer);
  }

  /** Resolves once every reply and push it was told to swallow has come (or the socket closed). */
  whenSwallowed(): Promise<void> {
    if (!this.swallowing || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.swallowed.push(resolve));
  }

  /** Closes the socket without reporting it. */
  detach(): void {
    this.detached = true;
    this.socket.destroy();
    this.settleSwallowed();
  }

  private settleSwallowed(): void {
    const waiting = this.swallowed;
    this.swallowed = [];
    for (const resolve of waiting) resolve();
  }

  private get swallowing(): boolean {
    return this.replies > 0 || this.pushes.size > 0;
  }

  private onData(chunk: Buffer): void {
    let at = 0;
    while (this.swallowing && at < chunk.length) {
      let end: number;
      try {
        end = this.scanner.next(chunk, at);
      } catch {
        this.handlers.closed('protocol error from upstream');
        this.detach();
        return;
      }
      if (end < 0) {
        this.pieces.push(chunk.subarray(at));
        return;
      }
      const frame = this.pieces.length === 0 ? chunk.subarray(at, end) : Buffer.concat([...this.pieces, chunk.subarray(at, end)]);
      this.pieces = [];
      at = end;
      if (!this.drops(frame)) this.handlers.data(frame);
      if (!this.swallowing) this.settleSwallowed();
    }
    if (at < chunk.length) this.handlers.data(at === 0 ? chunk : chunk.subarray(at));
  }

  private drops(frame: Buffer): boolean {
    if (this.scanner.lastFrameType !== RespType.Push) {
      if (this.replies === 0) return false;
      this.replies--;
      return true;
    }
    const type = pushType(frame);
    const left = this.pushes.get(type) ?? 0;
    if (left === 0) return false;
    if (left === 1) this.pushes.delete(type);
    else this.pushes.set(type, left - 1);
    return true;
  }
}

/** The first element of a push frame, lower-cased (`>3\r\n$9\r\nsubscribe\r\n…` → `subscribe`). */
function pushType(frame: Buffer): string {
  const first = frame.indexOf('\r\n') + 2;
  const lineEnd = frame.indexOf('\r\n', first);
  if (frame[first] !== 0x24) return frame.toString('latin1', first + 1, lineEnd).toLowerCase();
  const length = Number(frame.toString('latin1', first + 1, lineEnd));
  return frame.toString('latin1', lineEnd + 2, lineEnd + 2 + length).toLowerCase();
}
