import type { InspectionEvent, Observer } from 'xstate';
import type { EventInit } from '../../events.js';
import type { Logger } from '../../log.js';
import type { MaintenanceNotification } from '../../protocol/notifications.js';
import { PubSub } from '../../pubsub/pubsub.js';
import { pubsubRefusal } from '../../pubsub/session-options.js';
import type { Clock } from '../../transport/clock.js';
import type { ClusterNode } from '../node.js';
import type { ResolvedClusterOptions } from '../options.js';
import type { ClusterRouter } from '../router.js';
import type { ClusterEventInit } from '../state.js';
import { ShardedPubSub } from './sharded-pubsub.js';

/** The cluster's sharded pub/sub: the listener/Observable surface and the per-slot machinery behind it. */
export interface ClusterSharded {
  readonly surface: PubSub;
  readonly shards: ShardedPubSub;
  /** A notification a node's pool handled: SMIGRATING prepares the move, SMIGRATED follows it. */
  notified(node: ClusterNode, notification: MaintenanceNotification): void;
}

export function clusterSharded(deps: {
  router: ClusterRouter;
  options: ResolvedClusterOptions;
  clock: Clock;
  logger: Logger;
  emit(event: ClusterEventInit): void;
  emitNode(node: string, event: EventInit): void;
  onChange(): void;
  unavailable(method: string): Error | null;
}): ClusterSharded {
  const { options } = deps;
  const node = options.node;
  const shards = new ShardedPubSub({
    router: deps.router,
    clock: deps.clock,
    logger: deps.logger,
    emit: deps.emit,
    emitNode: deps.emitNode,
    onChange: deps.onChange,
    commandTimeoutMs: node.commandTimeout,
    maxRedirections: options.maxRedirections,
    session: {
      clock: deps.clock,
      logger: deps.logger,
      commandTimeoutMs: node.commandTimeout + node.maint.relaxedTimeout,
      fenceTimeoutMs: Math.max(1000, node.commandTimeout),
      followMoves: node.maint.mode !== 'disabled',
      moveAttempts: node.maint.maxHandoffRetries,
      ...(node.inspect === undefined ? {} : { inspect: node.inspect as Observer<InspectionEvent> }),
    },
  });
  const surface = new PubSub({
    unavailable: (method) => deps.unavailable(method) ?? pubsubRefusal(node, method),
    session: () => shards,
  });
  return {
    surface,
    shards,
    notified: (from, notification) => {
      if (notification.type === 'SMIGRATING') shards.migrating(from, notification.slots);
      else if (notification.type === 'SMIGRATED') shards.topologyChanged('SMIGRATED');
    },
  };
}
