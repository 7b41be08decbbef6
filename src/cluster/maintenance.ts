/**
 * Cluster-wide effects of maintenance notifications. Each node's pool already relaxes and hands
 * off its own connections (SMIGRATING relaxes, SMIGRATED ends it, MOVING moves); here, once per
 * `(type, seq)` for the whole cluster client: SMIGRATED rewrites the slot map from its payload at
 * once (its destination may be a node never seen) and schedules one refresh to verify; MOVING and
 * FAILED_OVER schedule one refresh (the promoted replica is found by refresh, not by errors).
 */
import { formatEndpoint } from '../protocol/endpoint.js';
import type { MaintenanceNotification } from '../protocol/notifications.js';
import type { Clock } from '../transport/clock.js';
import type { ClusterEventInit } from './state.js';
import type { ClusterNode } from './node.js';
import type { ClusterRouter } from './router.js';
import { RecentlySeen } from './seen.js';

export class ClusterMaintenance {
  private readonly seen: RecentlySeen;

  constructor(
    private readonly router: ClusterRouter,
    clock: Clock,
    private readonly emit: (event: ClusterEventInit) => void,
  ) {
    this.seen = new RecentlySeen(clock);
  }

  /** Called once the node's pool handled it (never when a hook vetoed it, nor with notifications disabled). */
  handle(node: ClusterNode, notification: MaintenanceNotification): void {
    switch (notification.type) {
      case 'SMIGRATED':
        if (!this.seen.firstTime(`SMIGRATED:${notification.seq}`)) return;
        for (const move of notification.moves) {
          if (move.slots.length === 0) continue;
          this.router.assign(move.destination, move.slots);
          this.emit({ type: 'cluster.slots.migrated', seq: notification.seq, from: move.source === null ? null : formatEndpoint(move.source), to: formatEndpoint(move.destination), slots: move.slots });
        }
        this.router.refresher.request('SMIGRATED');
        return;
      case 'MOVING':
      case 'FAILED_OVER':
        // Per node: another node's MOVING with the same seq is another event.
        if (this.seen.firstTime(`${notification.type}:${notification.seq}@${node.key}`)) this.router.refresher.request(notification.type);
        return;
      default:
        // SMIGRATING, MIGRATING, FAILING_OVER, MIGRATED: the node's own pool relaxes or ends it.
        return;
    }
  }
}
