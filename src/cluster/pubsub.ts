import type { InspectionEvent, Observer } from 'xstate';
import { ConnectionError } from '../errors.js';
import type { EventInit } from '../events.js';
import type { Logger } from '../log.js';
import type { Endpoint } from '../protocol/endpoint.js';
import { PubSub, singleSession } from '../pubsub/pubsub.js';
import { pubsubRefusal } from '../pubsub/session-options.js';
import type { Clock } from '../transport/clock.js';
import type { ResolvedClusterOptions } from './options.js';
import type { ClusterRouter } from './router.js';

/**
 * Cluster-wide (not sharded) pub/sub: a PUBLISH reaches every node of a cluster, so one
 * subscriber session on any one primary serves every channel and pattern. The session asks for
 * its node at every (re)connect, so when that node leaves the map (a failover, a removed node) it
 * subscribes again on another primary, and a MOVING moves it as on a standalone client.
 */
export function clusterPubSub(deps: {
  router: ClusterRouter;
  options: ResolvedClusterOptions;
  clock: Clock;
  logger: Logger;
  emit(node: string, event: EventInit): void;
  unavailable(method: string): Error | null;
}): PubSub {
  const { router, options, clock, logger } = deps;
  const live = () => router.table.primaries.find((node) => !node.retired);
  const root = options.rootNodes[0] as Endpoint;
  return new PubSub({
    unavailable: (method) => deps.unavailable(method) ?? pubsubRefusal(options.node, method),
    session: () => singleSession({
      id: 'pubsub',
      open: (owner, endpoint, signal) => {
        const node = live();
        if (node === undefined) return Promise.reject(new ConnectionError('ERR_NOT_CONNECTED', 'no primary of the cluster is known', { retryable: true }));
        return node.pool.openFor(owner, endpoint, signal);
      },
      currentEndpoint: () => live()?.endpoint ?? root,
      configuredEndpoint: root,
      clock,
      emit: (event) => deps.emit(live()?.key ?? '', event),
      logger,
      commandTimeoutMs: options.node.commandTimeout + options.node.maint.relaxedTimeout,
      fenceTimeoutMs: Math.max(1000, options.node.commandTimeout),
      followMoves: options.node.maint.mode !== 'disabled',
      moveAttempts: options.node.maint.maxHandoffRetries,
      ...(options.node.inspect === undefined ? {} : { inspect: options.node.inspect as Observer<InspectionEvent> }),
    }),
  });
}
