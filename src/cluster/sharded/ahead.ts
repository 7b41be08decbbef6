/**
 * Subscribing ahead of an announced slot move. SMIGRATING names the slots but not where they go;
 * the source's CLUSTER NODES does while a slot is MIGRATING. The importing node accepts an
 * SSUBSCRIBE after ASKING, and keeps it when the slot becomes its own, so the subscriber is on the
 * new owner before the old one stops serving: the cut then loses nothing.
 */
import { RedisReplyError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { text } from '../../pubsub/registry.js';
import type { Clock } from '../../transport/clock.js';
import type { ClusterNode } from '../node.js';
import { nodeCaller } from '../node-caller.js';
import type { ClusterRouter } from '../router.js';
import { migrationTarget } from './importer.js';
import type { NodeHome } from './node-home.js';
import type { SlotRoute } from './slot-route.js';

/** What the move-ahead needs from the sharded pub/sub. */
export interface AheadHost {
  readonly router: ClusterRouter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly commandTimeoutMs: number;
  readonly closed: boolean;
  wanted(slot: number): Set<string>;
  homeOf(node: ClusterNode): NodeHome;
  release(home: NodeHome, slot: number): Promise<void>;
}

/**
 * How the source's CLUSTER NODES is polled for where the slots of an SMIGRATING go: SMIGRATING may
 * come before the migration starts, and a slot with few keys moves in milliseconds, so every 5 ms
 * while the source's answer keeps changing (a reshard of many slots moves a few at a time) and for a
 * second after its last change, then every 50 ms; for at most 30 s, until each slot is found or has moved.
 */
const FAST_POLL_MS = 5;
const FAST_POLLS = 200;
const POLL_MS = 50;
const POLL_FOR_MS = 30_000;

/** Polls the source's CLUSTER NODES until each slot shows where it is migrating, then subscribes there ahead. */
export async function prepareMoves(host: AheadHost, source: ClusterNode, routes: SlotRoute[]): Promise<void> {
  for (const route of routes) route.preparing = true;
  const caller = nodeCaller(source, host.clock, host.commandTimeoutMs);
  let waiting = routes;
  // Fast while the source's view changes (slots being set MIGRATING or handed over, a few at a time);
  // slower after FAST_POLLS unchanged answers.
  let lastView = '';
  let unchanged = 0;
  try {
    const giveUpAt = host.clock.now() + POLL_FOR_MS;
    while (waiting.length > 0 && host.clock.now() < giveUpAt && !host.closed) {
      const reply = await caller.call('CLUSTER', 'NODES').catch((error: unknown) => error);
      // A server that refuses CLUSTER NODES (an ACL, a managed service) will not say: the move will not be exact.
      if (reply instanceof RedisReplyError || host.closed) return;
      const nodes = typeof reply === 'string' || Buffer.isBuffer(reply) ? text(reply) : '';
      waiting = waiting.filter((route) => {
        if (route.home?.key !== source.key || route.next !== null) return false; // moved, or prepared, meanwhile
        const target = migrationTarget(nodes, route.slot);
        if (target === null) return true;
        void route.run(() => subscribeAhead(host, route, source, host.router.table.nodeAt(target)));
        return false;
      });
      unchanged = nodes === lastView ? unchanged + 1 : 0;
      lastView = nodes;
      if (waiting.length > 0) await new Promise<void>((resolve) => host.clock.setTimeout(resolve, unchanged < FAST_POLLS ? FAST_POLL_MS : POLL_MS));
    }
  } finally {
    for (const route of routes) route.preparing = false;
  }
}

/** Subscribes the slot on the node importing it (ASKING) while the source still serves it. */
async function subscribeAhead(host: AheadHost, route: SlotRoute, source: ClusterNode, destination: ClusterNode): Promise<void> {
  const old = route.home;
  const wanted = host.wanted(route.slot);
  if (host.closed || old?.key !== source.key || route.next !== null || wanted.size === 0 || destination.key === source.key) return;
  void destination.start().catch(() => undefined);
  const home = host.homeOf(destination);
  route.next = home;
  try {
    await home.carry(route.slot, wanted, true);
  } catch (error) {
    route.abandonNext();
    await host.release(home, route.slot);
    host.logger.debug(`sharded pub/sub: could not subscribe slot ${route.slot} ahead on ${destination.key}: ${(error as Error).message}`);
    return;
  }
  if (route.next === home) route.prepared = { home, overlapped: [...wanted].every((name) => old.carries(name)), losses: old.losses };
}
