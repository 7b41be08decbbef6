import { randomUUID } from 'node:crypto';
import { createActor, fromPromise, toPromise, type Actor } from 'xstate';
import { rootActorOptions } from '../machines/shared-system.js';
import { ConnectionError } from '../errors.js';
import { formatEndpoint } from '../protocol/endpoint.js';
import { classifyPush } from '../protocol/notifications.js';
import type { RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import type { Pipeline } from '../transport/pipeline.js';
import { FenceCut, type FenceOutcome } from './fence.js';
import { FENCE_PREFIX, type LegHost, type SubscriberLeg } from './leg.js';
import { LegOpener } from './leg-opener.js';
import { ListenerRegistry } from './registry.js';
import { sessionMachine, type MoveOrder, type SessionEvent } from './session.machine.js';
import { SUBSCRIPTION_KINDS, type SubscriptionKind } from './types.js';
import { Waiters } from './waiters.js';
import type { SessionDependencies } from './session-dependencies.js';

export type { SessionDependencies, ShardHooks } from './session-dependencies.js';

/**
 * The subscriber session: one lazily opened socket of its own (never a pooled one), the
 * listeners, and the machine that carries the subscriptions through a MOVING (make before break,
 * cut over at the fence) and through an unannounced loss (backoff, resubscribe, an event).
 */
export class PubSubSession implements LegHost {
  readonly registry: ListenerRegistry;
  readonly fenceChannel = `${FENCE_PREFIX}${randomUUID()}`;
  readonly clock: Clock;
  readonly commandTimeoutMs: number;
  private readonly waiters: Waiters;
  private readonly actor: Actor<typeof sessionMachine>;
  /** The socket whose messages are delivered (the old one until a move's cut). */
  current: SubscriberLeg | null = null;
  private cut: FenceCut | null = null;
  private readonly legs: LegOpener;
  private moves = 0;
  /** When the socket was lost unannounced (client clock); null while none is. */
  private lostAt: number | null = null;
  private closed = false;
  /** MOVINGs told on sockets before they became the current one (see onMaintenance). */
  private readonly toldEarly = new Map<SubscriberLeg, SessionEvent>();

  constructor(private readonly deps: SessionDependencies) {
    this.clock = deps.clock;
    this.commandTimeoutMs = deps.commandTimeoutMs;
    this.registry = new ListenerRegistry(deps.logger);
    this.waiters = new Waiters(this.registry);
    this.legs = new LegOpener(deps, this, this.registry, this.waiters);
    const machine = sessionMachine.provide({
      actors: {
        connect: fromPromise(({ signal }) => this.connect(signal)),
        sync: fromPromise(() => this.sync()),
        move: fromPromise(({ input, signal }) => this.move(input, signal)),
        closeAll: fromPromise(() => this.closeAll()),
      },
      actions: {
        connected: () => this.connected(),
        ping: () => void this.current?.ping(),
        connectFailed: (_, params) => this.waiters.failUnconfirmed(new ConnectionError('ERR_CONNECT', `The subscriber socket could not be opened: ${params.reason}`, { retryable: true })),
        moveFailed: (_, params) => deps.emit({ type: 'pubsub.moveFailed', to: formatEndpoint(params.order.target), seq: params.order.seq, reason: params.reason }),
      },
      guards: {
        dirty: () => this.current !== null && this.current.syncedVersion !== this.registry.version,
        currentAlive: () => this.current !== null && this.current.writable,
        unwanted: () => this.registry.empty,
      },
    });
    this.actor = createActor(machine, rootActorOptions(deps.clock, deps.inspect));
    this.actor.subscribe({ error: (error) => deps.logger.error('pub/sub session failed', error) });
    this.actor.start();
  }

  get state(): string {
    const value = this.actor.getSnapshot().value;
    return typeof value === 'string' ? value : Object.keys(value)[0] ?? 'unknown';
  }

  /** Subscriptions changed: resolves once the server agrees for `names` (the socket is opened on first use). */
  changed(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    const settled = this.waiters.wait(kind, names, this.current);
    this.actor.send({ type: 'demand' });
    this.actor.send({ type: 'changed' });
    return settled;
  }

  /** Every socket of this session that takes commands: the current one and, during a move, the new one. */
  livePipelines(): Pipeline[] {
    return this.legs.livePipelines();
  }

  /** The server dropped these names on its own: subscribe them again; resolves as `changed`. */
  resubscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    this.registry.version++;
    return this.changed(kind, names);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.actor.send({ type: 'close' });
    }
    return toPromise(this.actor).then(
      () => undefined,
      () => undefined,
    );
  }

  // --- LegHost --------------------------------------------------------------------------------

  deliver(type: 'message' | 'pmessage' | 'smessage', frame: RespValue[]): void {
    if (this.deps.shard === undefined) this.registry.deliver(type, frame);
    else this.deps.shard.deliver(type, frame);
  }

  buffersWanted(): boolean {
    return this.deps.shard === undefined ? this.registry.bufferListeners > 0 : this.deps.shard.buffersWanted();
  }

  shardGroups(names: readonly string[]): string[][] {
    return this.deps.shard === undefined ? names.map((name) => [name]) : this.deps.shard.groups(names);
  }

  shardAsking(name: string): boolean {
    return this.deps.shard?.asking(name) ?? false;
  }

  onUnsubscribed(leg: SubscriberLeg, kind: SubscriptionKind, name: string): void {
    if (kind === 'shard' && leg === this.current && !this.closed && this.registry.has(kind, name)) this.deps.shard?.unsubscribed(name);
  }

  onMarker(leg: SubscriberLeg, token: string): void {
    this.cut?.marker(leg, token);
  }

  onMaintenance(leg: SubscriberLeg, frame: RespValue[]): void {
    const classified = classifyPush(frame);
    const context = { connectionId: leg.id, endpoint: leg.endpointText };
    if (classified.kind === 'invalid') {
      this.deps.emit({ type: 'notification.invalid', ...context, notificationType: classified.type, reason: classified.reason });
      return;
    }
    if (classified.kind !== 'maintenance') return;
    const notification = classified.notification;
    this.deps.emit({ type: 'notification.received', ...context, notification });
    if (notification.type !== 'MOVING' || !this.deps.followMoves) return;
    const none = notification.endpoint === null;
    const moving: SessionEvent = {
      type: 'moving',
      seq: notification.seq,
      target: notification.endpoint ?? this.deps.configuredEndpoint,
      delayMs: none ? (notification.timeS * 1000) / 2 : 0,
      deadlineAt: this.clock.now() + notification.timeS * 1000,
      socket: leg.id,
    };
    // Told on a socket still being opened (a reconnect's, a move's new one): it too is on the node
    // being left; acted on once it is the current socket.
    if (leg !== this.current) {
      if (!leg.lost) this.toldEarly.set(leg, moving);
      return;
    }
    this.actor.send(moving);
  }

  onLost(leg: SubscriberLeg, reason: string): void {
    if (this.cut !== null) this.cut.oldLost();
    if (leg !== this.current || this.closed) return;
    if (this.state === 'moving') return; // the move decides
    this.lostAt ??= this.clock.now();
    this.deps.emit({ type: 'pubsub.lost', endpoint: leg.endpointText, reason });
    this.actor.send({ type: 'socket.lost', reason });
  }

  // --- the machine's actors -------------------------------------------------------------------

  private async connect(signal: AbortSignal): Promise<void> {
    const endpoint = this.deps.currentEndpoint();
    let leg: SubscriberLeg;
    try {
      leg = await this.legs.open(endpoint, 'deliver', signal);
    } catch (error) {
      const configured = this.deps.configuredEndpoint;
      if (signal.aborted || formatEndpoint(configured) === formatEndpoint(endpoint)) throw error;
      leg = await this.legs.open(configured, 'deliver', signal);
    }
    if (signal.aborted || this.closed) {
      // close() ran while the socket was being subscribed (after closeAll looked for a current one).
      leg.close();
      throw closedError();
    }
    this.current?.close();
    this.current = leg;
    this.becameCurrent(leg);
  }

  private connected(): void {
    const leg = this.current as SubscriberLeg;
    if (this.lostAt !== null) {
      this.deps.emit({ type: 'pubsub.resubscribed', endpoint: leg.endpointText, downtimeMs: Math.max(0, this.clock.now() - this.lostAt), ...this.registry.counts() });
      this.lostAt = null;
    } else {
      this.deps.emit({ type: 'pubsub.connected', endpoint: leg.endpointText });
    }
    this.waiters.check(leg);
  }

  /** Brings the current socket's subscriptions in line with the listeners. */
  private async sync(): Promise<void> {
    const leg = this.current;
    if (leg === null) return;
    const version = this.registry.version;
    const changes: Array<Promise<void>> = [];
    for (const kind of SUBSCRIPTION_KINDS) {
      const wanted = new Set(this.registry.names(kind));
      if (kind === 'channel' && this.legs.fenced) wanted.add(this.fenceChannel);
      const add = [...wanted].filter((name) => !leg.confirmed[kind].has(name));
      const remove = [...leg.confirmed[kind]].filter((name) => !wanted.has(name));
      changes.push(this.legs.apply(leg, kind, true, add), this.legs.apply(leg, kind, false, remove));
    }
    await Promise.all(changes);
    leg.syncedVersion = version;
    this.waiters.check(leg);
  }

  private async move(order: MoveOrder, signal: AbortSignal): Promise<{ seq: number; outcome: FenceOutcome }> {
    const old = this.current as SubscriberLeg;
    const started = this.clock.now();
    const next = await this.legs.openWithRetries(order.target, signal);
    let outcome: FenceOutcome;
    if (!old.writable) {
      next.buffered = [];
      this.flush(next);
      outcome = { exact: false, reason: 'the old socket closed before the new one was subscribed' };
    } else {
      const cut = new FenceCut(old, next, `${this.deps.id}:${++this.moves}`, (leg) => this.flush(leg), this.clock, this.deps.fenceTimeoutMs);
      this.cut = cut;
      if (this.legs.fenced) next.publish(this.fenceChannel, cut.token).catch((error: Error) => cut.publishFailed(error.message));
      else cut.publishFailed('the fence channel is not allowed (ACL)');
      outcome = await cut.settled;
      this.cut = null;
    }
    if (signal.aborted) {
      // close() ran meanwhile and closed the old socket; the new one must not outlive it.
      next.close();
      throw new ConnectionError('ERR_CLIENT_CLOSED', 'The client closed during the move');
    }
    this.current = next;
    this.becameCurrent(next);
    old.close();
    if (!next.writable) {
      this.lostAt ??= this.clock.now();
      this.deps.emit({ type: 'pubsub.lost', endpoint: next.endpointText, reason: 'the new subscriber socket closed during the move' });
      throw new ConnectionError('ERR_CONNECTION_LOST', 'the new subscriber socket closed during the move', { retryable: true });
    }
    const detail = outcome.exact ? {} : { reason: outcome.reason };
    this.deps.emit({ type: 'pubsub.moved', from: old.endpointText, to: next.endpointText, seq: order.seq, exact: outcome.exact, durationMs: this.clock.now() - started, ...detail });
    this.waiters.check(next);
    return { seq: order.seq, outcome };
  }

  private async closeAll(): Promise<void> {
    this.cut?.publishFailed('the client is closing');
    this.toldEarly.clear();
    this.current?.close();
    this.current = null;
    this.waiters.failAll(closedError());
  }

  // --- internals ------------------------------------------------------------------------------

  /** A MOVING told on `leg` before it was current goes to the machine once this step is done (a timer: after its onDone). */
  private becameCurrent(leg: SubscriberLeg): void {
    const moving = this.toldEarly.get(leg);
    this.toldEarly.clear();
    if (moving === undefined) return;
    this.clock.setTimeout(() => {
      if (this.current === leg && !this.closed) this.actor.send(moving);
    }, 0);
  }

  private flush(leg: SubscriberLeg): void {
    const held = leg.buffered;
    leg.buffered = [];
    for (const { type, frame } of held) this.deliver(type, frame);
    leg.mode = 'deliver';
  }
}

function closedError(): ConnectionError {
  return new ConnectionError('ERR_CLIENT_CLOSED', 'The client is closed; the subscription ended');
}
