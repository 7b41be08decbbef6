/**
 * A raw RESP test client that shares no code with hitless: its own small RESP2/RESP3 reader
 * (below) finds where each frame ends and reads it, keeping each element's wire type. Replies are
 * matched to commands in order; push frames (`>`) are collected apart with their raw bytes, and
 * how many replies had arrived before each one.
 */
import { connect, type Socket } from 'node:net';

/** A parsed RESP value with its wire type: `+ - : $ * _ # , ( ! = % ~ >`. */
export type RespNode =
  | { kind: '+' | '-' | '(' | ','; value: string }
  | { kind: ':'; value: number }
  | { kind: '$' | '!' | '='; value: string | null }
  | { kind: '_'; value: null }
  | { kind: '#'; value: boolean }
  | { kind: '*' | '~' | '>' | '%'; value: RespNode[] | null };

export interface RawPush {
  raw: Buffer;
  elements: RespNode[];
  /** Replies received before this push. */
  afterReplies: number;
  at: number;
}

interface Waiter {
  resolve(node: RespNode): void;
  reject(error: Error): void;
}

export class RawRespClient {
  readonly pushes: RawPush[] = [];
  /** Every reply frame, raw, in order. */
  readonly replies: Buffer[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private readonly waiters: Waiter[] = [];
  /** Replies that arrived before anyone waited for them, handed to the next waiters. */
  private readonly unclaimed: RespNode[] = [];
  private readonly pushWatchers = new Set<() => void>();
  /** Bytes received that do not yet make a whole frame. */
  private pending: Buffer = Buffer.alloc(0);

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('connection closed'));
        for (const watcher of this.pushWatchers) watcher();
        resolve();
      });
    });
  }

  static connect(address: string | { host: string; port: number }): Promise<RawRespClient> {
    const [host, port] = typeof address === 'string' ? [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))] : [address.host, address.port];
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawRespClient(socket));
      });
    });
  }

  /** The local port of this client's socket (matches the `remote` a server reports). */
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  /** Writes every command in one write (a pipeline) and resolves with their replies in order. */
  send(...commands: ReadonlyArray<ReadonlyArray<string | Buffer>>): Promise<RespNode[]> {
    const replies = commands.map(() => this.nextReply());
    this.socket.write(Buffer.concat(commands.map(encode)));
    return Promise.all(replies);
  }

  command(...args: Array<string | Buffer>): Promise<RespNode> {
    return this.send(args).then((replies) => replies[0] as RespNode);
  }

  /** Writes bytes as they are, expecting `replies` replies. */
  sendRaw(bytes: Buffer | string, replies: number): Promise<RespNode[]> {
    const pending = Array.from({ length: replies }, () => this.nextReply());
    this.socket.write(bytes);
    return Promise.all(pending);
  }

  private nextReply(): Promise<RespNode> {
    const ready = this.unclaimed.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.isClosed) return Promise.reject(new Error('connection closed'));
    return new Promise<RespNode>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Resolves with the first push (already received or to come) that matches; rejects after `timeoutMs`. */
  waitForPush(match: (push: RawPush) => boolean, timeoutMs = 5000): Promise<RawPush> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.pushes.find(match);
        if (found) done(() => resolve(found));
        else if (this.isClosed) done(() => reject(new Error('closed before the expected push arrived')));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no matching push within ${timeoutMs} ms; got ${this.pushes.map(describePush).join(' | ')}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.pushWatchers.delete(check);
        settle();
      };
      this.pushWatchers.add(check);
      check();
    });
  }

  /** Pushes whose first element is `type`. */
  pushesOf(type: string): RawPush[] {
    return this.pushes.filter((push) => push.elements[0]?.value === type);
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const read = readNode(this.pending, 0);
      if (read === null) return;
      const [node, end] = read;
      const frame = Buffer.from(this.pending.subarray(0, end));
      this.pending = this.pending.subarray(end);
      if (node.kind === '>') {
        this.pushes.push({ raw: frame, elements: node.value ?? [], afterReplies: this.replies.length, at: Date.now() });
        for (const watcher of [...this.pushWatchers]) watcher();
      } else {
        this.replies.push(frame);
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(node);
        else this.unclaimed.push(node);
      }
    }
  }
}

export function encode(args: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one complete frame (attributes are skipped); throws when `frame` is not one whole frame. */
export function parse(frame: Buffer): RespNode {
  const read = readNode(frame, 0);
  if (read === null || read[1] !== frame.length) throw new Error(`not one whole RESP frame: ${JSON.stringify(frame.toString())}`);
  return read[0];
}

const AGGREGATES = new Set(['*', '~', '>', '%']);

/**
 * Reads the value that starts at `at`: the node and where it ends, or null when `bytes` stops
 * before its end (wait for more). Attributes (`|`) are read and dropped.
 */
export function readNode(bytes: Buffer, at: number): [RespNode, number] | null {
  if (at >= bytes.length) return null;
  const kind = String.fromCharCode(bytes[at] as number);
  const lineEnd = bytes.indexOf('\r\n', at + 1, 'latin1');
  if (lineEnd < 0) return null;
  const line = bytes.toString('utf8', at + 1, lineEnd);
  let next = lineEnd + 2;
  switch (kind) {
    case '+':
    case '-':
    case '(':
    case ',':
      return [{ kind, value: line }, next];
    case ':':
      return [{ kind, value: Number(line) }, next];
    case '_':
      return [{ kind, value: null }, next];
    case '#':
      return [{ kind, value: line === 't' }, next];
    case '$':
    case '!':
    case '=': {
      const length = Number(line);
      if (length < 0) return [{ kind, value: null }, next];
      if (next + length + 2 > bytes.length) return null;
      return [{ kind, value: bytes.toString('utf8', next, next + length) }, next + length + 2];
    }
    case '|': {
      for (let i = 0; i < Number(line) * 2; i++) {
        const skipped = readNode(bytes, next);
        if (skipped === null) return null;
        next = skipped[1];
      }
      return readNode(bytes, next);
    }
    default: {
      if (!AGGREGATES.has(kind)) throw new Error(`unexpected RESP type byte ${JSON.stringify(kind)} at ${at}`);
      const count = Number(line);
      if (count < 0) return [{ kind: kind as '*', value: null }, next];
      const items: RespNode[] = [];
      for (let i = 0; i < count * (kind === '%' ? 2 : 1); i++) {
        const item = readNode(bytes, next);
        if (item === null) return null;
        items.push(item[0]);
        next = item[1];
      }
      return [{ kind: kind as '*' | '~' | '>' | '%', value: items }, next];
    }
  }
}

/** The node as a plain JS value (for equality checks that do not care about wire types). */
export function plain(node: RespNode): unknown {
  return Array.isArray(node.value) ? node.value.map(plain) : node.value;
}

export function describePush(push: RawPush): string {
  return JSON.stringify(push.elements.map(plain));
}
