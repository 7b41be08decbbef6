/**
 * Sharded pub/sub on a cluster (SSUBSCRIBE): a shard channel's messages come only from the
 * primary that owns its slot, so channels are grouped by slot and each slot lives on its owner's
 * subscriber socket (one per node, see NodeHome). Everything that says a slot moved — SMIGRATED,
 * a refresh or MOVED that patched the map, a MOVED reply to the SSUBSCRIBE, the unsolicited
 * `sunsubscribe` the old owner sends at `CLUSTER SETSLOT … NODE` or when it is demoted — runs
 * one idempotent path, `settle`: subscribe on the owner the map names, and only once it
 * confirmed, end the old owner's stream (its `sunsubscribe`, ours or the server's, comes after
 * every message it delivered), then deliver what the new owner held and everything after.
 *
 * Each SPUBLISH is delivered by the one node that accepted it, so two owners never deliver the
 * same message: the cut can only lose, never double. Nothing is lost when the new subscription was
 * confirmed while the old owner still served the slot — an announced reshard, where SMIGRATING
 * lets the importing node be subscribed (after ASKING) before the slot moves. When the old owner
 * stopped first (plain OSS migration without notifications, a failover, a lost node) messages
 * published in between are not received; the `cluster.shard.moved` event says `exact: false`.
 */
import { ConnectionError } from '../../errors.js';
import type { EventInit } from '../../events.js';
import type { Logger } from '../../log.js';
import type { SlotRange } from '../../protocol/notifications.js';
import type { RespValue } from '../../protocol/types.js';
import type { SubscriptionSession } from '../../pubsub/pubsub.js';
import type { Pipeline } from '../../transport/pipeline.js';
import { ListenerRegistry, text } from '../../pubsub/registry.js';
import type { SubscriptionKind } from '../../pubsub/types.js';
import type { Clock } from '../../transport/clock.js';
import type { ClusterNode } from '../node.js';
import { redirectOf, retryDelay } from '../redirect.js';
import type { ClusterRouter } from '../router.js';
import { keySlot } from '../slot.js';
import type { ClusterEventInit } from '../state.js';
import { prepareMoves, type AheadHost } from './ahead.js';
import { NodeHome, type HomeDependencies } from './node-home.js';
import { probeOwner, within } from './probe.js';
import { SlotRoute } from './slot-route.js';
import { WantedChannels } from './wanted-channels.js';

export interface ShardedDependencies {
  router: ClusterRouter;
  clock: Clock;
  logger: Logger;
  /** Settings of every node's subscriber session. */
  session: HomeDependencies['session'];
  commandTimeoutMs: number;
  /** MOVED replies one move follows before it gives up. */
  maxRedirections: number;
  emit(event: ClusterEventInit): void;
  emitNode(node: string, event: EventInit): void;
  /** Which node carries which channels changed (for `state$`). */
  onChange(): void;
}

/** Tries of a move whose target failed in a retryable way (CLUSTERDOWN, a socket that would not open). */
const RETRIES = 8;
/** After the old owner's unsolicited sunsubscribe: how often it is asked whether it still serves the slot (each ask also asks for a refresh). */
const LAPSED_WAIT_MS = 100;
const LAPSED_WAITS = 50;

export class ShardedPubSub implements SubscriptionSession {
  readonly registry: ListenerRegistry;
  /** By address: one socket per server, whichever ClusterNode object the map has for it now. */
  // Keyed by the node itself: a MOVING re-keys a node under its new address, and its socket stays its home.
  private readonly homes = new Map<ClusterNode, NodeHome>();
  private readonly routes = new Map<number, SlotRoute>();
  private readonly wanted: WantedChannels;
  private readonly homeDeps: HomeDependencies;
  private readonly ahead: AheadHost;
  private closed = false;

  constructor(private readonly deps: ShardedDependencies) {
    this.registry = new ListenerRegistry(deps.logger);
    this.wanted = new WantedChannels(this.registry);
    this.homeDeps = {
      session: deps.session,
      emit: (node, event) => {
        deps.emitNode(node, event);
        if (event.type === 'pubsub.lost' && !this.closed) deps.router.refresher.request(`sharded subscriber at ${node} lost`);
      },
      deliver: (from, type, frame) => this.routes.get(keySlot(channelOf(frame)))?.accept(from, type, frame, (t, f) => this.registry.deliver(t, f)),
      buffersWanted: () => this.registry.bufferListeners > 0,
      unsubscribed: (from, name) => this.unsubscribed(from, name),
    };
    const self = this;
    this.ahead = {
      router: deps.router,
      clock: deps.clock,
      logger: deps.logger,
      commandTimeoutMs: deps.commandTimeoutMs,
      get closed() {
        return self.closed;
      },
      wanted: (slot) => this.wanted.of(slot),
      homeOf: (node) => this.homeOf(node),
      release: (home, slot) => this.release(home, slot),
    };
  }

  /** Subscribes or unsubscribes `names` (shard channels) slot by slot; resolves when every slot's owner agrees. */
  async changed(_kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    if (this.closed) throw closedError();
    this.wanted.track(names);
    const routes = [...new Set(names.map((name) => keySlot(name)))].map((slot) => this.route(slot));
    try {
      await Promise.all(routes.map((route) => this.reconcile(route, 'subscribe')));
    } catch (error) {
      // The caller takes its listener back; then the slots that did get subscribed for it are brought in line again.
      this.deps.clock.setTimeout(() => {
        this.wanted.track(names);
        for (const route of routes) if (!this.closed) this.background(route, 'subscribe failed');
      }, 0);
      throw error;
    }
  }

  /** The map changed (SMIGRATED, a refresh, MOVED): every slot whose owner is not its home moves. */
  topologyChanged(reason: string): void {
    if (this.closed) return;
    for (const route of this.routes.values()) {
      if (this.deps.router.table.owners[route.slot]?.key !== route.home?.key || route.left !== null) this.background(route, reason);
    }
  }

  /** SMIGRATING from `source`: for its subscribed slots, find the importing node and subscribe there before the move. */
  migrating(source: ClusterNode, slots: readonly SlotRange[]): void {
    if (this.closed) return;
    const routes = [...this.routes.values()].filter((route) => route.home?.key === source.key && route.next === null && !route.preparing && slots.some(([first, last]) => route.slot >= first && route.slot <= last));
    if (routes.length > 0) void prepareMoves(this.ahead, source, routes);
  }

  /** The shard channels each node's socket carries (for state snapshots). */
  channelsOf(node: ClusterNode): string[] {
    return this.homes.get(node)?.channels() ?? [];
  }

  livePipelines(): Pipeline[] {
    return [...this.homes.values()].flatMap((home) => home.session.livePipelines());
  }

  async close(): Promise<void> {
    this.closed = true;
    const homes = [...this.homes.values()];
    this.homes.clear();
    this.routes.clear();
    this.wanted.clear();
    await Promise.all(homes.map((home) => home.close()));
  }

  // --- the one path: bring a slot's subscription to its owner -------------------------------------

  private reconcile(route: SlotRoute, reason: string): Promise<void> {
    return route.run(() => this.settle(route, reason)).finally(() => this.deps.onChange());
  }

  private background(route: SlotRoute, reason: string): void {
    this.reconcile(route, reason).catch((error: Error) => {
      if (this.closed) return;
      this.deps.emit({ type: 'cluster.shard.moveFailed', slot: route.slot, from: route.home?.node.key ?? null, reason, error: error.message });
    });
  }

  private async settle(route: SlotRoute, reason: string): Promise<void> {
    const { router } = this.deps;
    let hops = 0;
    let tries = 0;
    let waits = 0;
    for (;;) {
      if (this.closed) throw closedError();
      const wanted = this.wanted.of(route.slot);
      if (wanted.size === 0) return this.vacate(route);
      const owner = router.ownerOf(route.slot);
      if (owner === undefined) throw new ConnectionError('ERR_CLUSTER_TOPOLOGY', `no node serves slot ${route.slot}`, { retryable: true });
      const home = this.homeOf(owner);
      if (route.left === home && waits++ < LAPSED_WAITS) {
        // The map still names the node the slot just left. No SSUBSCRIBE there to find out: a demoted primary
        // (now a replica) would accept it and deliver its replication stream as well. A keyed read would not.
        const probe = await probeOwner(this.deps.router, this.deps.clock, this.deps.commandTimeoutMs, owner, [...wanted][0] as string);
        if (probe === 'served') route.left = null;
        else if (probe !== 'moved') await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, LAPSED_WAIT_MS));
        continue;
      }
      // Before an overlap, make sure the target serves the slot as its primary: a replica (a stale map, a
      // failover under way) would take the SSUBSCRIBE and deliver its replication stream too — duplicates.
      if (route.home !== null && route.home !== home && route.prepared?.home !== home) {
        const probe = await probeOwner(this.deps.router, this.deps.clock, this.deps.commandTimeoutMs, owner, [...wanted][0] as string);
        if (probe === 'moved' && hops++ < this.deps.maxRedirections) continue;
        if (probe !== 'served') {
          if (++tries > RETRIES) throw new ConnectionError('ERR_CLUSTER_TOPOLOGY', `${owner.key} did not confirm it serves slot ${route.slot}`, { retryable: true });
          await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, retryDelay(tries)));
          continue;
        }
      }
      try {
        if (route.home === home) await home.carry(route.slot, wanted);
        else await this.moveTo(route, home, wanted, reason);
        route.left = null;
        return;
      } catch (error) {
        const redirect = redirectOf(error as Error, owner.endpoint);
        if (redirect?.kind === 'moved' && hops++ < this.deps.maxRedirections) {
          router.assign(redirect.endpoint, [[redirect.slot, redirect.slot]]);
          router.refresher.request('MOVED');
          continue;
        }
        const retryable = redirect?.kind === 'retry' || (error instanceof ConnectionError && error.retryable && error.code !== 'ERR_CLIENT_CLOSED');
        if (!retryable || ++tries > RETRIES) throw error;
        await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, retryDelay(tries)));
      }
    }
  }

  /** Subscribes on `home` (its messages held), ends the old owner's stream, then cuts over. */
  private async moveTo(route: SlotRoute, home: NodeHome, wanted: ReadonlySet<string>, reason: string): Promise<void> {
    const old = route.home;
    if (old === null) {
      route.home = home;
      try {
        await home.carry(route.slot, wanted);
      } catch (error) {
        route.home = null;
        await this.release(home, route.slot);
        throw error;
      }
      return;
    }
    const started = this.deps.clock.now();
    if (route.next !== home) {
      if (route.next !== null) await this.release(route.next, route.slot);
      route.abandonNext();
      route.next = home;
    }
    try {
      await home.carry(route.slot, wanted);
    } catch (error) {
      route.abandonNext();
      await this.release(home, route.slot);
      throw error;
    }
    const prepared = route.prepared?.home === home ? route.prepared : { overlapped: [...wanted].every((name) => old.carries(name)), losses: old.losses };
    // The old owner's sunsubscribe (ours, or the server's at SETSLOT NODE) follows every message it delivered for the slot.
    const alive = old.session.current?.writable === true;
    const ended = alive && (await within(old.release(route.slot), this.deps.session.fenceTimeoutMs, this.deps.clock));
    if (!ended) void old.release(route.slot);
    const gap = !prepared.overlapped ? 'the old owner had stopped serving the slot before the new one confirmed' : old.losses !== prepared.losses || !alive ? 'the old owner’s socket was lost' : !ended ? 'the old owner’s stream did not end in time' : null;
    route.cut(home, (type, frame) => this.registry.deliver(type, frame));
    this.closeIfIdle(old);
    const durationMs = this.deps.clock.now() - started;
    const base = { type: 'cluster.shard.moved', slot: route.slot, channels: wanted.size, from: old.node.key, to: home.node.key, reason, durationMs } as const;
    this.deps.emit(gap === null ? { ...base, exact: true } : { ...base, exact: false, gap });
  }

  /** No listener is left in the slot: unsubscribe it wherever it is. */
  private async vacate(route: SlotRoute): Promise<void> {
    const { home, next } = route;
    route.abandonNext();
    route.home = null;
    if (this.routes.get(route.slot) === route) this.routes.delete(route.slot);
    if (next !== null) await this.release(next, route.slot);
    if (home !== null) await this.release(home, route.slot);
  }

  private async release(home: NodeHome, slot: number): Promise<void> {
    await home.release(slot);
    this.closeIfIdle(home);
  }

  // --- triggers -----------------------------------------------------------------------------------

  private unsubscribed(from: NodeHome, name: string): void {
    const route = this.routes.get(keySlot(name));
    if (route === undefined || this.closed) return;
    if (from === route.next) {
      // The node being moved to dropped it (its own failover): start over from the map.
      route.abandonNext();
      void this.release(from, route.slot);
      return;
    }
    if (from !== route.home) return;
    // The slot left the node (SETSLOT … NODE, a demotion). Prepared on the importing node: that is the new owner;
    // else a refresh says who is.
    if (route.prepared !== null) this.deps.router.assign(route.prepared.home.node.endpoint, [[route.slot, route.slot]]);
    else route.left = from;
    this.deps.router.refresher.request('sunsubscribe');
    this.background(route, 'sunsubscribe');
  }

  // --- bookkeeping ----------------------------------------------------------------------------------

  private route(slot: number): SlotRoute {
    let route = this.routes.get(slot);
    if (route === undefined) this.routes.set(slot, (route = new SlotRoute(slot)));
    return route;
  }

  private homeOf(node: ClusterNode): NodeHome {
    let home = this.homes.get(node);
    if (home === undefined) this.homes.set(node, (home = new NodeHome(node, this.homeDeps)));
    else if (home.node !== node && !node.retired) home.node = node;
    return home;
  }

  /** A node's socket that carries nothing and is no route's home or next is closed. */
  private closeIfIdle(home: NodeHome): void {
    if (!home.empty || this.homes.get(home.node) !== home) return;
    for (const route of this.routes.values()) if (route.home === home || route.next === home) return;
    this.homes.delete(home.node);
    void home.close();
  }
}

function channelOf(frame: RespValue[]): string | Buffer {
  const channel = frame[1];
  return Buffer.isBuffer(channel) ? channel : text(channel);
}

function closedError(): ConnectionError {
  return new ConnectionError('ERR_CLIENT_CLOSED', 'The cluster client is closed; the sharded subscription ended');
}

