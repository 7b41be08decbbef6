import { ConnectionError, RedisReplyError } from '../errors.js';
import { handoffRetryDelay } from '../machines/handoff-worker.machine.js';
import type { Endpoint } from '../protocol/endpoint.js';
import type { Pipeline } from '../transport/pipeline.js';
import { SubscriberLeg, type LegHost, type LegMode } from './leg.js';
import type { ListenerRegistry } from './registry.js';
import type { SessionDependencies } from './session.js';
import { SUBSCRIPTION_KINDS, type SubscriptionKind } from './types.js';
import type { Waiters } from './waiters.js';

/** Opens a session's sockets: dial + handshake (the pool's opener), then the fence channel and every name listened to. */
export class LegOpener {
  /** The fence channel is usable (an ACL may forbid it): moves are exact only then. */
  fenced = true;
  private count = 0;
  /** Legs opened and not known to be gone (pruned whenever asked for, and at every open). */
  private readonly legs = new Set<SubscriberLeg>();

  constructor(
    private readonly deps: SessionDependencies,
    private readonly host: LegHost & { readonly current: SubscriberLeg | null },
    private readonly registry: ListenerRegistry,
    private readonly waiters: Waiters,
  ) {}

  /** Opens a socket at `endpoint` and subscribes it to the fence channel and every name listened to. */
  async open(endpoint: Endpoint, mode: LegMode, signal: AbortSignal): Promise<SubscriberLeg> {
    const leg = new SubscriberLeg(`${this.deps.id}.${++this.count}`, endpoint, this.host, mode);
    const opened = await this.deps.open(leg, endpoint, signal);
    leg.pipeline = opened.pipeline;
    this.livePipelines(); // prunes the legs that are gone, so the set stays small
    this.legs.add(leg);
    try {
      if (opened.protocol !== 3) throw new ConnectionError('ERR_HANDSHAKE', `Pub/sub needs RESP3, but ${leg.endpointText} answered HELLO 3 with an error`);
      if (this.fenced && !(await this.subscribeFence(leg))) return await this.open(endpoint, mode, signal);
      const version = this.registry.version;
      // A name the server refuses is dropped (and reported) by apply; the others still ride this socket.
      const subscribing = SUBSCRIPTION_KINDS.map((kind) => this.apply(leg, kind, true, this.registry.names(kind)).catch(refusedOnly));
      await Promise.all(subscribing);
      if (signal.aborted) throw new ConnectionError('ERR_CONNECT', 'aborted', { retryable: true });
      leg.syncedVersion = version;
      return leg;
    } catch (error) {
      leg.close();
      throw error;
    }
  }

  /** The sockets of legs still open (the current one, a move's new one, one still subscribing). */
  livePipelines(): Pipeline[] {
    const pipelines: Pipeline[] = [];
    for (const leg of this.legs) {
      if (leg.writable && leg.pipeline !== null) pipelines.push(leg.pipeline);
      else this.legs.delete(leg);
    }
    return pipelines;
  }

  /** A move's dial + handshake + subscribe, retried with backoff (SPEC §5: at most `moveAttempts` tries). */
  async openWithRetries(target: Endpoint, signal: AbortSignal): Promise<SubscriberLeg> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.open(target, 'buffer', signal);
      } catch (error) {
        if (attempt >= this.deps.moveAttempts || signal.aborted || !(this.host.current?.writable ?? false)) throw error;
        await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, handoffRetryDelay(attempt)));
      }
    }
  }

  /** False when the server refused the fence channel (an ACL without it): moves go unfenced from then on. */
  private async subscribeFence(leg: SubscriberLeg): Promise<boolean> {
    try {
      await leg.change('channel', true, [this.host.fenceChannel]);
      return true;
    } catch (error) {
      if (!(error instanceof RedisReplyError)) throw error;
      this.fenced = false;
      this.deps.logger.warn(`the server refused the private fence channel (${error.message}); moves will not be exactly-once`);
      leg.close();
      return false;
    }
  }

  /** One (un)subscribe on `leg`; a name the server refuses (e.g. NOPERM) loses its listeners and fails its waiters. */
  async apply(leg: SubscriberLeg, kind: SubscriptionKind, subscribe: boolean, names: string[]): Promise<void> {
    try {
      await leg.change(kind, subscribe, names);
    } catch (error) {
      if (!(error instanceof RedisReplyError)) throw error;
      this.deps.logger.warn(`the server refused to ${subscribe ? 'subscribe' : 'unsubscribe'} ${names.join(', ')}: ${error.message}`);
      if (subscribe) this.registry.drop(kind, names);
      this.waiters.fail(kind, names, error);
      this.deps.shard?.refused(kind, names, error);
      throw error;
    }
  }
}

function refusedOnly(error: unknown): void {
  if (!(error instanceof RedisReplyError)) throw error;
}
