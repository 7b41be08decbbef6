import type { Socket } from 'node:net';
import { ConnectionError, ProtocolError, TimeoutError, type RedisReplyError } from '../errors.js';
import { RespDecoder, type RespDecoderHandlers } from '../protocol/decoder.js';
import type { RespValue } from '../protocol/types.js';
import { timerDelay, type Clock } from './clock.js';
import { PendingCommand } from './command.js';
import { Fifo } from './fifo.js';

export interface PipelineHandlers {
  onPush(frame: RespValue[]): void;
  /** The socket closed without `end()`/`destroy()` being asked for (peer closed, network error, bad bytes). */
  onLost(error: ConnectionError, pipeline: Pipeline): void;
  /** Asked per push frame: decode its bulk strings as Buffers (subscriber sockets with binary listeners)? */
  pushBuffers?(): boolean;
}

/**
 * The per-command hot path of one socket: commands are encoded into a write buffer that is
 * flushed once per tick (callers writing in the same tick share one socket write), replies are
 * matched to the in-flight FIFO, and one timer watches the oldest command's deadline. No actor,
 * no Subject, no timer per command.
 */
export class Pipeline implements RespDecoderHandlers {
  private readonly inflight = new Fifo<PendingCommand>();
  private readonly decoder: RespDecoder;
  private outgoing = '';
  private outgoingBinary: Array<string | Buffer> | null = null;
  private flushScheduled = false;
  private timer: unknown = undefined;
  private timerAt = Infinity;
  private drainWaiters: Array<() => void> | null = null;
  private state: 'open' | 'ending' | 'closed' = 'open';
  /** The server's id of this connection (from HELLO 3), for CLIENT UNBLOCK from another connection. */
  clientId: number | undefined = undefined;
  /** Why the socket was lost (not set by `end()`/`destroy()`): for an owner that was not listening yet. */
  lostError: ConnectionError | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly clock: Clock,
    private readonly handlers: PipelineHandlers,
    /** For messages: the endpoint this socket reaches. */
    readonly target: string,
  ) {
    // The pipeline is its decoder's handlers (methods, not a closure each: one per socket adds up).
    this.decoder = new RespDecoder(this);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', ignore);
    socket.on('close', () => this.lost('Connection closed by the server or the network'));
  }

  get inflightCount(): number {
    return this.inflight.length;
  }

  get writable(): boolean {
    return this.state === 'open';
  }

  write(command: PendingCommand): void {
    if (this.state !== 'open') {
      command.fail(new ConnectionError('ERR_CONNECTION_LOST', `Connection to ${this.target} is closing; ${command.name} was not sent`, { retryable: true }));
      return;
    }
    this.inflight.push(command);
    const encoded = command.encoded;
    command.encoded = '';
    if (typeof encoded === 'string' && this.outgoingBinary === null) {
      this.outgoing += encoded;
    } else {
      if (this.outgoingBinary === null) this.outgoingBinary = this.outgoing === '' ? [] : [this.outgoing];
      this.outgoingBinary.push(encoded);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(flush, this);
    }
    if (command.deadline < this.timerAt) this.armTimer(command.deadline);
  }

  /**
   * How long a command written now may wait behind a blocking command in flight before the server
   * reads it: 0 when none is in flight, Infinity behind one that blocks forever.
   */
  blockedAhead(): number {
    let until = 0;
    for (const command of this.inflight) if (command.blockMs > 0 && command.deadline > until) until = command.deadline;
    return until === 0 ? 0 : Math.max(0, until - this.clock.now());
  }

  /**
   * The next reply belongs to no caller: called while an error reply is being settled, when the
   * command that failed carried a PING in the same slot (a refused SUBSCRIBE: the PONG follows).
   * A placeholder takes the head, so the replies behind stay matched; it times out and then
   * gives up on the socket as any command does.
   */
  skipNextReply(name: string, timeoutMs: number): void {
    if (this.state === 'closed') return;
    const placeholder = new PendingCommand(name, '', this.clock.now(), timeoutMs, 0, ignore, ignore);
    this.inflight.unshift(placeholder);
    if (placeholder.deadline < this.timerAt) this.armTimer(placeholder.deadline);
  }

  /** Applies a relaxed timeout to every command in flight (SPEC §5: never shortens a deadline). */
  relax(relaxedTimeout: number): void {
    for (const command of this.inflight) command.relax(relaxedTimeout);
    this.disarmTimer();
    this.checkDeadlines();
  }

  /** Resolves once every command written so far has its reply (or the socket is gone). */
  drained(): Promise<void> {
    if (this.inflight.length === 0 || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => (this.drainWaiters ??= []).push(resolve));
  }

  /** Stops accepting writes, waits for in-flight replies up to `graceMs`, then closes gracefully (QUIT). */
  async end(graceMs: number): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'ending';
    this.flushNow();
    // A blocking command may never answer (BLPOP 0): do not hold the close for it.
    if (this.hasPendingNonBlocking()) {
      let timer: unknown;
      const grace = new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, graceMs)));
      await Promise.race([this.drained(), grace]);
      this.clock.clearTimeout(timer);
    }
    // A lost socket may have closed the pipeline while we waited.
    if ((this.state as string) === 'closed') return;
    this.state = 'closed';
    this.disarmTimer();
    this.failInflight('was still waiting for its reply when the connection was closed');
    this.socket.end('*1\r\n$4\r\nQUIT\r\n');
    this.socket.destroySoon();
  }

  private hasPendingNonBlocking(): boolean {
    for (const command of this.inflight) if (!command.settled && command.blockMs === 0) return true;
    return false;
  }

  /** Closes at once; commands in flight fail with a retryable ConnectionError saying `reason`. */
  destroy(reason: string, code: 'ERR_CONNECTION_LOST' | 'ERR_HANDOFF' = 'ERR_CONNECTION_LOST'): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.disarmTimer();
    this.socket.destroy();
    this.failInflight(reason, undefined, code);
  }

  flushNow(): void {
    this.flushScheduled = false;
    if (this.outgoingBinary !== null) {
      const parts = this.outgoingBinary;
      this.outgoingBinary = null;
      this.outgoing = '';
      this.socket.cork();
      for (const part of parts) this.socket.write(part);
      this.socket.uncork();
    } else if (this.outgoing !== '') {
      const text = this.outgoing;
      this.outgoing = '';
      this.socket.write(text);
    }
  }

  private receive(chunk: Buffer): void {
    try {
      this.decoder.feed(chunk);
    } catch (error) {
      const reason = error instanceof ProtocolError ? error.message : String(error);
      this.lostWith(new ConnectionError('ERR_CONNECTION_LOST', `Connection to ${this.target} sent bytes that are not RESP (${reason})`, { cause: error, retryable: true }));
    }
  }

  // --- RespDecoderHandlers: called by this pipeline's decoder only ---------------------------

  /** @internal */
  onReply(value: RespValue): void {
    this.settleHead(value, null);
  }

  /** @internal */
  onErrorReply(error: RedisReplyError): void {
    this.settleHead(null, error);
  }

  /** @internal */
  onPush(frame: RespValue[]): void {
    this.handlers.onPush(frame);
  }

  /** @internal */
  wantsBuffers(): boolean {
    return this.inflight.peek()?.binary === true;
  }

  /** @internal */
  pushBuffers(): boolean {
    return this.handlers.pushBuffers?.() === true;
  }

  private settleHead(value: RespValue, error: RedisReplyError | null): void {
    const command = this.inflight.shift();
    if (command === undefined) {
      throw new ProtocolError('A reply arrived with no command waiting for it');
    }
    if (error === null) command.succeed(value);
    else command.fail(error);
    if (this.drainWaiters !== null && this.inflight.length === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = null;
      for (const resolve of waiters) resolve();
    }
  }

  private armTimer(at: number): void {
    if (at === Infinity) return;
    this.disarmTimer();
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.checkDeadlines();
    }, timerDelay(at - this.clock.now()));
  }

  private disarmTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /**
   * Fails every command past its deadline (its slot stays: its reply may still come) and re-arms
   * for the earliest deadline left. Deadlines are not in FIFO order (a relaxation that ended, a
   * blocking command), so the whole FIFO is scanned — once per timer firing, not per command.
   */
  private checkDeadlines(): void {
    if (this.state === 'closed') return;
    const now = this.clock.now();
    let next = Infinity;
    // Replies come in order: while the oldest command (already timed out) has no reply, none behind
    // it has. No reply for another whole timeout means the socket is dead (e.g. a peer that vanished
    // without a FIN): drop it so that the connection reconnects.
    const head = this.inflight.peek();
    if (head !== undefined && head.settled && head.timeout !== Infinity) {
      const giveUpAt = head.deadline + head.timeout;
      if (giveUpAt <= now) {
        this.lostWith(new ConnectionError('ERR_CONNECTION_LOST', `No reply from ${this.target} for ${Math.round(now - head.start)} ms; the connection is presumed dead`, { retryable: true }));
        return;
      }
      next = giveUpAt;
    }
    for (const command of this.inflight) {
      if (command.settled) continue;
      const deadline = command.deadline;
      if (deadline <= now) {
        command.fail(new TimeoutError(command.relaxed ? 'ERR_MAINTENANCE_TIMEOUT' : 'ERR_COMMAND_TIMEOUT', command.timeout, command.name));
      } else if (deadline < next) {
        next = deadline;
      }
    }
    // A command that just timed out becomes the head to watch.
    const first = this.inflight.peek();
    if (first !== undefined && first.settled && first.timeout !== Infinity) next = Math.min(next, first.deadline + first.timeout);
    if (next !== Infinity) this.armTimer(next);
  }

  private lost(message: string): void {
    if (this.state === 'closed') return;
    this.lostWith(new ConnectionError('ERR_CONNECTION_LOST', `${message} (${this.target})`, { retryable: true }));
  }

  private lostWith(error: ConnectionError): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.lostError = error;
    this.disarmTimer();
    this.socket.destroy();
    this.failInflight(`lost its connection (${error.message})`, error);
    this.handlers.onLost(error, this);
  }

  private failInflight(reason: string, cause?: ConnectionError, code: 'ERR_CONNECTION_LOST' | 'ERR_HANDOFF' = 'ERR_CONNECTION_LOST'): void {
    for (let command = this.inflight.shift(); command !== undefined; command = this.inflight.shift()) {
      const detail = code === 'ERR_HANDOFF' ? '' : '; it may or may not have been executed';
      command.fail(new ConnectionError(code, `${command.name} ${reason}${detail}`, { cause, retryable: true, sent: true }));
    }
    if (this.drainWaiters !== null) {
      const waiters = this.drainWaiters;
      this.drainWaiters = null;
      for (const resolve of waiters) resolve();
    }
  }
}

/** A socket's 'error' is followed by 'close', which carries the outcome; a skipped reply has no caller. */
function ignore(): void {}

function flush(pipeline: Pipeline): void {
  pipeline.flushNow();
}
