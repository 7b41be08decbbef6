/**
 * One client connection through the proxy: client socket ⇄ upstream socket. Requests are read
 * whole (so `CLIENT MAINT_NOTIFICATIONS` can be answered here, in order, even inside a pipeline,
 * and so that requests can be held back during a stall or failover); replies stream through a
 * {@link ReplyWriter} that knows where frames end.
 */
import type { Socket } from 'node:net';
import { classifyRequest, type Answer } from './command-effects.js';
import { SessionFlags } from './session-flags.js';
import { ReplyWriter } from './reply-writer.js';
import { ProtocolTracker } from './protocol-tracker.js';
import { parseArgs, RequestReader } from './request-reader.js';
import { SessionReplay } from './session-replay.js';
import type { ConnectionInfo, EndpointType, HostPort, SentFrame } from './types.js';
import { UpstreamLink } from './upstream-link.js';

export interface ConnectionHooks {
  /** The proxy's answer to `CLIENT MAINT_NOTIFICATIONS` was written (type null: opted out). */
  optedIn(connection: ProxyConnection): void;
  sent(connection: ProxyConnection, frame: SentFrame): void;
  closed(connection: ProxyConnection, reason: string): void;
  /** Whether the server side has maintenance notifications on now (`update_cluster_config`). */
  notificationsEnabled(): boolean;
}

export interface FrameMeta {
  frameType: string;
  seq: number | null;
  actionId: string | null;
}

const PING = Buffer.from('*1\r\n$4\r\nPING\r\n');
const FLUSH_BOUND_MS = 1000;

export class ProxyConnection {
  readonly openedAt = Date.now();
  readonly remote: string;
  /** The node (endpoint address) serving this connection: its own endpoint's, or the one that address led to when it was opened. */
  node: string;
  endpointType: EndpointType | null = null;
  readonly sent: SentFrame[] = [];
  private upstream: UpstreamLink;
  private readonly writer: ReplyWriter;
  private readonly reader = new RequestReader();
  private readonly holds = new Set<string>();
  private held: Array<{ frame: Buffer; replies: number }> = [];
  /** Replies the server owes for every request accepted so far (held or forwarded). */
  private expected = 0;
  /** Replies the server owes for requests already written upstream. */
  private forwarded = 0;
  private countable = true;
  private readonly resp: ProtocolTracker;
  /** An open WATCH (keys watched) or MULTI (commands queued): a failover cannot carry them. */
  private readonly flags = new SessionFlags();
  private readonly replay = new SessionReplay();
  private closedReason: string | null = null;
  private readingClient = true;
  private endReason: string | null = null;

  constructor(
    readonly id: string,
    readonly endpoint: string,
    private readonly client: Socket,
    target: HostPort,
    holds: Iterable<string>,
    latencyMs: number,
    private readonly hooks: ConnectionHooks,
  ) {
    this.remote = `${client.remoteAddress ?? '?'}:${client.remotePort ?? 0}`;
    this.node = endpoint;
    for (const reason of holds) this.holds.add(reason);
    client.setNoDelay(true);
    this.writer = new ReplyWriter({
      write: (bytes) => {
        const ok = this.client.write(bytes);
        if (!ok) this.upstream.pause();
        return ok;
      },
      destroy: (reason) => this.close(reason),
    });
    this.writer.setDelay(latencyMs);
    this.resp = new ProtocolTracker(this.writer, {
      switched: (protocol) => {
        // Notifications are RESP3 pushes: a connection back on RESP2 is opted out.
        if (protocol === 2 && this.endpointType !== null) {
          this.endpointType = null;
          this.hooks.optedIn(this);
        }
      },
      miscounted: () => {
        this.countable = false; // pub/sub replies were counted by the wrong protocol
      },
    });
    this.upstream = this.link(target);
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('drain', () => this.upstream.resume());
    client.on('error', () => {
      // reported through 'close'
    });
    client.on('close', () => this.close(this.endReason ?? 'client closed'));
  }

  /** The RESP protocol the connection speaks now. */
  get protocol(): 2 | 3 {
    return this.resp.current;
  }

  get notificationsEnabled(): boolean {
    return this.hooks.notificationsEnabled();
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  get isHeld(): boolean {
    return this.holds.size > 0;
  }

  /** Replies still owed by the server for forwarded requests (0 when that cannot be counted). */
  get inFlight(): number {
    return this.countable ? Math.max(0, this.forwarded - this.writer.repliesWritten) : 0;
  }

  /** Writes a frame of the simulator's own at the next reply boundary and logs it once written. */
  send(bytes: Buffer, meta: FrameMeta): void {
    if (this.closed) return;
    this.writer.inject(bytes, () => {
      const frame: SentFrame = { frameType: meta.frameType, seq: meta.seq, bytes, at: Date.now(), actionId: meta.actionId };
      this.sent.push(frame);
      this.hooks.sent(this, frame);
    });
  }

  /** Stops forwarding requests (they queue here) until every hold is released. */
  hold(reason: string): void {
    this.holds.add(reason);
  }

  release(reason: string): void {
    if (!this.holds.delete(reason) || this.holds.size > 0) return;
    const held = this.held;
    this.held = [];
    for (const { frame, replies } of held) this.forward(frame, replies);
  }

  setDelay(ms: number): void {
    this.writer.setDelay(ms);
  }

  /** Resolves once the next reply was cut in the middle and the connection destroyed (or it closed). */
  cutMidReply(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.writer.cutNextReply(resolve);
      this.client.once('close', () => resolve());
    });
  }

  /** Disarms a cut that found no reply in time. */
  cancelCut(): void {
    this.writer.cutNextReply(null);
  }

  /**
   * Moves this connection to another server (failover): a new upstream socket gets the state the
   * client set (HELLO, AUTH, SELECT, CLIENT SETNAME, subscriptions) replayed, with the answers
   * swallowed.
   * A connection with replies still owed by the old server cannot be carried and is closed.
   */
  async moveUpstream(target: HostPort): Promise<void> {
    if (this.closed || (this.upstream.target.host === target.host && this.upstream.target.port === target.port)) return;
    // A subscriber may still have messages from the old server on their way: a round trip there
    // first, so that none is cut off with the old socket (RESP3 only: a RESP2 PING reply could
    // not be told from a message).
    if (this.protocol === 3 && this.replay.subscribed) await this.upstream.roundTrip(FLUSH_BOUND_MS);
    if (this.closed) return;
    // Only a connection provably idle can be carried: one whose replies cannot be counted (after
    // MONITOR or a RESP2 bare UNSUBSCRIBE, e.g. a RESP2 subscriber) may still be owed some.
    if (!this.countable) {
      this.close('failover on a connection whose replies cannot be counted');
      return;
    }
    if (this.inFlight > 0 || this.writer.midFrame) {
      this.close('failover with replies in flight');
      return;
    }
    // The new server knows neither the watched keys nor the queued commands: a guarded EXEC
    // must not run unguarded there.
    const open = this.flags.openTransaction;
    if (open !== null) {
      this.close(`failover with ${open} open`);
      return;
    }
    const next = this.link(target);
    this.replay.replayOnto(next, this.protocol);
    const previous = this.upstream;
    this.upstream = next;
    previous.detach();
    this.client.resume(); // in case the old socket had paused it (backpressure)
    await next.whenSwallowed();
  }

  close(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.writer.close();
    this.upstream.detach();
    this.client.destroy();
    this.hooks.closed(this, reason);
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      endpoint: this.endpoint,
      node: this.node,
      remote: this.remote,
      upstream: this.upstream.address,
      endpointType: this.endpointType,
      protocol: this.protocol,
      openedAt: this.openedAt,
      held: this.isHeld,
      sent: [...this.sent],
    };
  }

  private link(target: HostPort): UpstreamLink {
    const link: UpstreamLink = new UpstreamLink(target, {
      data: (chunk) => this.writer.receive(chunk),
      drain: () => this.client.resume(),
      closed: (reason) => {
        if (link !== this.upstream) return;
        // Let delayed replies reach the client first (e.g. the +OK of QUIT).
        this.writer.whenIdle(() => {
          this.endReason = reason;
          this.client.end(() => this.close(reason));
        });
      },
    });
    return link;
  }

  private onClientData(chunk: Buffer): void {
    if (!this.readingClient) return;
    const upstream = this.upstream;
    upstream.cork(); // a pipeline read in one chunk goes upstream in one write
    try {
      this.reader.push(chunk, (frame) => this.onRequest(frame));
    } catch (error) {
      // As redis-server does: an error reply, then the connection is closed.
      this.readingClient = false;
      const text = `-ERR Protocol error: ${(error as Error).message}\r\n`;
      this.writer.reply(this.expected, Buffer.from(text), () => this.close('protocol error from client'));
    } finally {
      upstream.uncork();
    }
  }

  private onRequest(frame: Buffer): void {
    const args = parseArgs(frame);
    const effect = classifyRequest(args, { protocol: this.resp.classifyBy });
    const { silenced, skipped } = this.flags.replyFor(effect);

    const answer = effect.answer;
    if (answer !== undefined && this.countable) {
      // Decided when its turn comes: a HELLO pipelined ahead of it may still fail.
      let decided: Answer | null = null;
      const decide = (): Answer => (decided ??= answer(this));
      const apply = () => {
        const { endpointType } = decide();
        if (endpointType === undefined) return;
        this.endpointType = endpointType;
        this.hooks.optedIn(this);
      };
      if (silenced) apply();
      else this.writer.reply(this.expected, () => decide().reply, apply);
      // The server's CLIENT REPLY SKIP would apply to the next command it sees: let it skip a PING.
      if (skipped) this.enqueue(PING, 0);
      return;
    }
    const replyAt = this.expected + 1; // this request's reply number, when it gets one
    const watchable = this.countable && !silenced && effect.replies !== null && effect.replies > 0;
    if (effect.reset) {
      this.resp.reset();
      this.replay.clear();
      this.endpointType = null;
      this.flags.reset();
      if (watchable) this.writer.watchReply(replyAt, () => this.writer.forgetSubscriptions());
      else this.writer.forgetSubscriptions();
    } else if (effect.protocol !== undefined) {
      this.resp.helloSent(effect.protocol, watchable ? replyAt : null);
    }
    if (effect.subscription !== undefined && args !== null) {
      this.replay.subscription(effect.subscription, args);
      this.resp.subscriptionClassified();
      if (this.resp.classifyBy === 2) this.writer.watchPubsub();
    }
    this.flags.transaction(effect);
    if (effect.replay !== undefined) this.replay.remember(effect.replay, frame);
    const replies = effect.replies === null ? 0 : silenced ? 0 : effect.replies;
    if (effect.replies === null) this.countable = false;
    this.enqueue(frame, replies);
  }

  private enqueue(frame: Buffer, replies: number): void {
    this.expected += replies;
    if (this.holds.size > 0) this.held.push({ frame, replies });
    else this.forward(frame, replies);
  }

  private forward(frame: Buffer, replies: number): void {
    if (this.closed) return;
    this.forwarded += replies;
    if (!this.upstream.write(frame)) this.client.pause();
  }
}
