/**
 * A tiny RESP2 client the simulator uses to steer the redis-servers it spawned (INFO, FAILOVER,
 * ROLE). Frames are split with the frame scanner; each complete frame is decoded here.
 */
import { connect, type Socket } from 'node:net';
import { FrameScanner } from '../protocol/frame-scanner.js';
import { encodeCommand } from './request-reader.js';
import type { HostPort } from './types.js';

/** A decoded RESP2 reply of an admin connection. */
export type AdminValue = string | number | null | AdminValue[];

interface Waiter {
  resolve(value: AdminValue): void;
  reject(error: Error): void;
}

export class AdminClient {
  private readonly socket: Socket;
  private readonly scanner = new FrameScanner();
  private readonly waiters: Waiter[] = [];
  private pieces: Buffer[] = [];
  private failure: Error | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('admin connection closed')));
  }

  static connect(target: HostPort): Promise<AdminClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new AdminClient(socket));
      });
    });
  }

  command(...args: string[]): Promise<AdminValue> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private onData(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const end = this.scanner.next(chunk, at);
      if (end < 0) {
        this.pieces.push(chunk.subarray(at));
        return;
      }
      const frame = Buffer.concat([...this.pieces, chunk.subarray(at, end)]);
      this.pieces = [];
      at = end;
      const waiter = this.waiters.shift();
      if (waiter === undefined) continue;
      const [value] = decode(frame, 0);
      if (value instanceof Error) waiter.reject(value);
      else waiter.resolve(value);
    }
  }
}

/** Decodes one complete RESP2 frame (errors become Error values). */
function decode(frame: Buffer, at: number): [AdminValue | Error, number] {
  const lineEnd = frame.indexOf('\r\n', at);
  const line = frame.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (frame[at]) {
    case 0x2b: // +
      return [line, next];
    case 0x2d: // -
      return [new Error(line), next];
    case 0x3a: // :
      return [Number(line), next];
    case 0x24: {
      // $
      const length = Number(line);
      if (length < 0) return [null, next];
      return [frame.toString('utf8', next, next + length), next + length + 2];
    }
    default: {
      // * (RESP2 is all an admin connection speaks)
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: AdminValue[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const [item, after] = decode(frame, position);
        items.push(item instanceof Error ? item.message : item);
        position = after;
      }
      return [items, position];
    }
  }
}

/** Parses `INFO` text into a field map. */
export function parseInfo(text: AdminValue): Map<string, string> {
  const fields = new Map<string, string>();
  if (typeof text !== 'string') return fields;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}
