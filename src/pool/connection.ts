import type { ActorRefFrom, SnapshotFrom } from 'xstate';
import { connectionStateName, hasRelaxation, type ConnectionInput, type ConnectionMachine, type ConnectionStateValue, type OpenedSocket } from '../machines/connection.machine.js';
import type { MaintainedConnection, MaintenanceOrder } from '../maintenance/maintained.js';
import type { Endpoint } from '../protocol/endpoint.js';
import { formatEndpoint } from '../protocol/endpoint.js';
import type { RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import type { PendingCommand } from '../transport/command.js';
import type { Pipeline } from '../transport/pipeline.js';
import { FirstAttempt } from './first-attempt.js';

export type ConnectionSnapshotValue = SnapshotFrom<ConnectionMachine>;

/** What a connection needs from its pool to open a socket and to report what it hears. */
export interface ConnectionHost {
  open(connection: Connection, signal: AbortSignal): Promise<{ pipeline: Pipeline; endpoint: Endpoint; maint: OpenedSocket['maint'] }>;
  onPush(connection: Connection, frame: RespValue[]): void;
  onStateChange(connection: Connection, previous: ConnectionStateValue): void;
  onRoutableChange(connection: Connection): void;
  onRelaxChange(connection: Connection, snapshot: ConnectionSnapshotValue, relaxed: boolean): void;
  /** The socket that served this connection's reads stopped being its socket (swap, reconnect, loss, close): its CLIENT TRACKING ended. */
  onSocketRetired?(connection: Connection): void;
  /** A defect of ours met on this connection's way (it is closed and replaced): to be logged. */
  onInternalError?(connection: Connection, error: unknown): void;
  /** Spawns the connection's actor under the pool actor, starting in `startIn`, and attaches it (see Connection.firstOpen). */
  materialize(connection: Connection, startIn: NonNullable<ConnectionInput['startIn']>): void;
  /** Grace for draining in-flight replies before a socket is closed. */
  readonly closeGraceMs: number;
  readonly clock: Clock;
  readonly relaxedTimeoutMs: number;
}

/**
 * One pooled connection as the per-command path sees it: plain fields the routing reads
 * (`pipeline`, `ready`, `relaxedTimeout`), kept current by the connection's machine.
 */
export class Connection implements MaintainedConnection {
  pipeline: Pipeline | null = null;
  /** The new socket a handoff has opened and not yet swapped in. */
  private staged: { pipeline: Pipeline; endpoint: Endpoint } | null = null;
  state: ConnectionStateValue = 'connecting';
  endpoint: Endpoint;
  /** > 0 while maintenance relaxes this connection's timeouts. */
  relaxedTimeout = 0;
  /** When each active relaxation ends at the latest (its backstop), as epoch ms. */
  private relaxExpiry: Map<string, number> | null = null;
  /** Held by one caller (blocking command); not used for multiplexing. */
  leased = false;
  ref: ActorRefFrom<ConnectionMachine> | null = null;
  /** One-shot observer of the next state change (used while waiting for a dedicated connection). */
  whenChanged: (() => void) | undefined = undefined;
  /** Set while a blocking command waits on this (leased) connection: a swap cuts it short and it is issued again on the new socket. */
  carry: { interrupt(old: Pipeline, endpoint: Endpoint, boundMs: number): Promise<void> } | null = null;
  /** While the first attempt runs without an actor: how to abort it, and the orders that came meanwhile. */
  private first: FirstAttempt | null = null;
  /** A close without an actor under way: a second close waits for the same one. */
  private closingWithoutActor: Promise<void> | null = null;

  constructor(
    readonly id: string,
    endpoint: Endpoint,
    /** Dedicated connections serve leases and are not part of the multiplexed set. */
    readonly dedicated: boolean,
    private readonly host: ConnectionHost,
  ) {
    this.endpoint = endpoint;
  }

  get endpointText(): string {
    return formatEndpoint(this.endpoint);
  }

  /** The latest time (epoch ms) the current relaxations can last, or null when not relaxed. */
  get relaxedUntil(): number | null {
    return this.relaxExpiry === null || this.relaxExpiry.size === 0 ? null : Math.max(...this.relaxExpiry.values());
  }

  get inflight(): number {
    return this.pipeline?.inflightCount ?? 0;
  }

  /** Set while a handoff waits for the old socket's replies: no new commands until the swap. */
  private draining = false;
  /** While handing off, the old socket still takes commands until this time (half the MOVING's time). */
  private oldSocketUntil = 0;

  /**
   * Ready for commands: a live socket, idle or relaxed — or handing off while the new socket is
   * being dialled, in the first half of the MOVING's time (the old endpoint serves for ~8.5 of
   * 15 s; later writes could go unanswered), and not while the old socket drains.
   */
  get ready(): boolean {
    const state = this.state;
    if (state === 'handingOff') {
      if (this.draining || this.host.clock.now() >= this.oldSocketUntil) return false;
    } else if (state !== 'idle' && state !== 'relaxed') {
      return false;
    }
    return this.pipeline !== null && this.pipeline.writable;
  }

  write(command: PendingCommand): void {
    if (this.relaxedTimeout > 0) command.relax(this.relaxedTimeout);
    (this.pipeline as Pipeline).write(command);
  }

  /** Called by the machine's `openSocket` actor (first connect and reconnects). */
  async open(signal: AbortSignal): Promise<OpenedSocket> {
    const opened = await this.host.open(this, signal);
    if (signal.aborted) {
      opened.pipeline.destroy('was on a connection closed while it connected');
      throw new Error('aborted');
    }
    // A socket replaced by a reconnect may still be answering: let it finish, then QUIT.
    const replaced = this.pipeline;
    if (replaced !== null && replaced.writable && replaced.inflightCount > 0 && this.carry !== null) {
      // A reconnect after a failed handoff while a blocking command waits on the old socket. Landed
      // at the same address: keep the live socket (the pending MOVING is tried again, and carries
      // the command then). Elsewhere: cut the wait short on the old endpoint, to be issued again here.
      if (formatEndpoint(opened.endpoint) === formatEndpoint(this.endpoint)) {
        opened.pipeline.destroy('was not needed: the connection kept its live socket');
        return { endpoint: formatEndpoint(this.endpoint), maint: opened.maint };
      }
      await this.carry.interrupt(replaced, this.endpoint, this.host.closeGraceMs);
      let timer: unknown;
      await Promise.race([replaced.drained(), new Promise<void>((resolve) => (timer = this.host.clock.setTimeout(resolve, this.host.closeGraceMs)))]);
      this.host.clock.clearTimeout(timer);
      if (signal.aborted) {
        opened.pipeline.destroy('was on a connection closed while it connected');
        throw new Error('aborted');
      }
    }
    // Lost while the replaced socket drained: its onLost was not ours to hear yet.
    if (!opened.pipeline.writable) throw opened.pipeline.lostError ?? new Error('the new socket closed before it was taken');
    void replaced?.end(this.host.closeGraceMs);
    this.pipeline = opened.pipeline;
    if (replaced !== null) this.host.onSocketRetired?.(this);
    this.endpoint = opened.endpoint;
    return { endpoint: formatEndpoint(opened.endpoint), maint: opened.maint };
  }

  /** Called by the machine's `closeSocket` actor: drain in-flight replies (bounded), then QUIT. */
  async closeSocket(): Promise<void> {
    this.discardStaged();
    const pipeline = this.pipeline;
    this.pipeline = null;
    if (pipeline !== null) this.host.onSocketRetired?.(this);
    await pipeline?.end(this.host.closeGraceMs);
  }

  /** Handoff, step 2: the new socket is open and its handshake done; keep it until the swap. */
  stage(pipeline: Pipeline, endpoint: Endpoint): void {
    this.discardStaged();
    this.staged = { pipeline, endpoint };
  }

  discardStaged(): void {
    this.staged?.pipeline.destroy('was on a handoff socket that was abandoned');
    this.staged = null;
  }

  /**
   * Handoff, steps 3–4: wait for the old socket's in-flight replies (at most `boundMs`), fail
   * what is still waiting with a typed retryable error, swap the new socket in, close the old
   * one gracefully.
   */
  async swap(boundMs: number, clock: Clock): Promise<void> {
    const old = this.pipeline;
    this.draining = true;
    this.host.onRoutableChange(this);
    try {
      const until = clock.now() + boundMs;
      // Client ids are per server: a move to the same address (endpoint type none, DNS re-pointed)
      // cannot tell which server a CLIENT UNBLOCK would reach, so the wait is only drained there.
      const sameAddress = this.staged !== null && formatEndpoint(this.staged.endpoint) === formatEndpoint(this.endpoint);
      if (old !== null && old.inflightCount > 0 && this.carry !== null && !sameAddress) await this.carry.interrupt(old, this.endpoint, boundMs);
      const left = until - clock.now();
      if (old !== null && old.inflightCount > 0 && left > 0) {
        let timer: unknown;
        await Promise.race([old.drained(), new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, left)))]);
        clock.clearTimeout(timer);
      }
      const staged = this.staged;
      this.staged = null;
      if (staged === null || !staged.pipeline.writable) throw new Error('the new socket closed before the swap');
      if (old !== null && old.inflightCount > 0) {
        old.destroy('was still waiting for its reply when the endpoint moved (handoff); it may or may not have run', 'ERR_HANDOFF');
      } else {
        void old?.end(0);
      }
      this.pipeline = staged.pipeline;
      this.endpoint = staged.endpoint;
      this.host.onSocketRetired?.(this);
      if (this.relaxedTimeout > 0) staged.pipeline.relax(this.relaxedTimeout);
    } finally {
      this.draining = false;
    }
  }

  /**
   * The first attempt of a connection whose actor is not made yet (a client not inspected): most
   * connections open and then idle for their whole life, and an actor that has nothing to
   * supervise costs ~1.7 KB and its start-up. The actor is made (host.materialize) the moment
   * there is something for it to do — the attempt failed (it starts in `reconnecting`), a
   * maintenance order, a lost socket — and starts where the connection is. Closing one that has
   * none needs none either (closeWithoutActor).
   */
  firstOpen(): void {
    const first = new FirstAttempt(this.host.clock);
    this.first = first;
    this.open(first.abort.signal)
      .then(
        () => null,
        (error: unknown) => ({ state: 'reconnecting' as const, lastError: error instanceof Error ? error.message : String(error) }),
      )
      .then((failed) => {
        this.first = null;
        if (first.aborted) return;
        if (failed === null) {
          this.setState('idle');
          if (!first.hasOrders) return;
        }
        this.host.materialize(this, failed ?? { state: 'ready' });
        for (const order of first.replay()) this.order(order);
      })
      .catch((error: unknown) => {
        this.host.onInternalError?.(this, error);
        this.unusable();
      });
  }

  /** Closes a connection that has no actor: its first attempt is aborted, or its socket drained and closed. */
  closeWithoutActor(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return (this.closingWithoutActor ??= (async () => {
      this.first?.abort.abort();
      this.first = null;
      this.setState('closing');
      // As the machine's closeSocket: closed however the socket's close went.
      await this.closeSocket().catch(() => undefined);
      this.setState('closed');
    })());
  }

  attach(ref: ActorRefFrom<ConnectionMachine>): void {
    this.ref = ref;
    let relaxed = false;
    const next = (snapshot: ConnectionSnapshotValue) => {
      // Relaxation is context, not a state: it also holds while connecting or handing off.
      const sources = snapshot.context.relaxSources;
      for (const [source, backstopMs] of Object.entries(sources)) {
        const expiry = (this.relaxExpiry ??= new Map());
        if (!expiry.has(source)) expiry.set(source, Date.now() + backstopMs);
      }
      if (this.relaxExpiry !== null) for (const source of this.relaxExpiry.keys()) if (!(source in sources)) this.relaxExpiry.delete(source);
      const nowRelaxed = hasRelaxation(snapshot.context);
      this.relaxedTimeout = nowRelaxed ? this.host.relaxedTimeoutMs : 0;
      if (nowRelaxed) this.pipeline?.relax(this.relaxedTimeout);
      if (nowRelaxed !== relaxed) {
        relaxed = nowRelaxed;
        this.host.onRelaxChange(this, snapshot, nowRelaxed);
      }
      const state = snapshot.status === 'done' ? 'closed' : connectionStateName(snapshot.value);
      if (state === this.state) return;
      const moving = snapshot.context.moving;
      if (state === 'handingOff' && moving !== null) {
        // With an endpoint the handoff starts on receipt; without, at half time already.
        this.oldSocketUntil = moving.endpoint === null ? moving.beginAt : (moving.beginAt + moving.deadlineAt) / 2;
      }
      this.setState(state);
    };
    // A crashed machine is reported by the pool actor.
    ref.subscribe({ next, error: () => this.unusable() });
    // An actor made for a connection already under way starts where it is (see firstOpen).
    next(ref.getSnapshot());
  }

  /**
   * Its machine crashed, or none could be made for it: the connection is closed here (first, so
   * that the loss its socket's destruction reports finds it closed) and the pool replaces it.
   */
  private unusable(): void {
    if (this.state === 'closed') return;
    const previous = this.state;
    this.state = 'closed';
    this.discardStaged();
    this.pipeline?.destroy('lost its connection (internal error)');
    this.pipeline = null;
    this.host.onSocketRetired?.(this);
    this.host.onStateChange(this, previous);
  }

  private setState(state: ConnectionStateValue): void {
    const previous = this.state;
    this.state = state;
    this.host.onStateChange(this, previous);
  }

  /** MaintainedConnection: what maintenance decided goes to the machine. */
  order(order: MaintenanceOrder): void {
    if (this.ref === null) {
      if (this.first !== null) {
        this.first.hold(order);
        return;
      }
      if (this.state !== 'idle') return;
      this.host.materialize(this, { state: 'ready' });
    }
    this.ref?.send(order);
  }

  seenMovings(): readonly string[] {
    return this.ref?.getSnapshot().context.seenMovings ?? this.first?.seenMovings() ?? [];
  }

  onPush(frame: RespValue[]): void {
    this.host.onPush(this, frame);
  }

  /** A pipeline's socket closed unexpectedly; only the current socket's loss matters to the machine. */
  onLost(pipeline: Pipeline, reason: string): void {
    if (pipeline !== this.pipeline) return;
    this.host.onSocketRetired?.(this);
    this.host.onRoutableChange(this);
    if (this.ref === null && this.state === 'idle') this.host.materialize(this, { state: 'ready' });
    this.ref?.send({ type: 'socket.lost', reason });
  }
}
