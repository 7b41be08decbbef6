/**
 * One primary of the cluster: a standalone hitless pool at the node's address. The pool does not
 * know the cluster; every standalone behaviour (relax, MOVING handoff, breaker, events) holds per
 * node. The cluster reaches it only through send / sendTogether / lease.
 */
import type { ResolvedClientOptions } from '../config.js';
import type { EventInit } from '../events.js';
import type { Logger } from '../log.js';
import type { NotificationHook } from '../maintenance/hooks.js';
import { formatEndpoint, type Endpoint } from '../protocol/endpoint.js';
import type { MaintenanceNotification } from '../protocol/notifications.js';
import type { Connection } from '../pool/connection.js';
import { Pool } from '../pool/pool.js';
import type { Clock } from '../transport/clock.js';
import type { PendingCommand } from '../transport/command.js';
import { endpointTypeFor } from '../transport/endpoint-type.js';

export interface ClusterNodeDependencies {
  options: ResolvedClientOptions;
  clock: Clock;
  logger: Logger;
  hooks: readonly NotificationHook[];
  emit(node: ClusterNode, event: EventInit): void;
  onNotification(node: ClusterNode, connection: Connection, notification: MaintenanceNotification): void;
  /** A notification the node's pool handled (hooks ran, none vetoed it): the cluster-wide effects. */
  onHandled(node: ClusterNode, notification: MaintenanceNotification): void;
  onChange(): void;
}

export class ClusterNode {
  readonly pool: Pool;
  /** `host:port` as the cluster map names it now (changed only by `moveTo`). */
  key: string;
  /** The node id from CLUSTER SHARDS / SLOTS, once known. */
  id: string | null;
  /** Set when the node left the map; its pool is closing. */
  retired = false;
  /** Its replicas that reads may go to (empty unless the cluster reads from replicas). */
  replicas: ClusterNode[] = [];
  /** Round-robin position over where its slots' reads go. */
  readTurn = 0;
  private started: Promise<void> | null = null;
  private readonly removers = new Map<NotificationHook, () => void>();

  constructor(public endpoint: Endpoint, id: string | null, private readonly deps: ClusterNodeDependencies) {
    this.key = formatEndpoint(endpoint);
    this.id = id;
    this.pool = new Pool({
      options: deps.options,
      clock: deps.clock,
      logger: deps.logger,
      emit: (event) => deps.emit(this, event),
      onNotification: (connection, notification) => deps.onNotification(this, connection, notification),
      onChange: deps.onChange,
    });
    // First in line, so its postHook sees what the user's hooks made of the notification.
    this.pool.addNotificationHook({
      postHook: (_context, notification, result) => {
        if (result.outcome !== 'vetoed') deps.onHandled(this, notification);
      },
    });
    for (const hook of deps.hooks) this.addNotificationHook(hook);
  }

  /** Opens the pool; resolves when a connection is ready. Called once; later calls share the first. */
  start(): Promise<void> {
    this.started ??= this.pool.start(endpointTypeFor(this.deps.options));
    return this.started;
  }

  /** The node answers at a new address (its pool followed a MOVING there): the map names it so from now on. */
  moveTo(endpoint: Endpoint): void {
    this.endpoint = endpoint;
    this.key = formatEndpoint(endpoint);
  }

  send(command: PendingCommand): void {
    this.pool.send(command);
  }

  /** Back to back on one connection (ASKING + command, MULTI … EXEC). */
  sendTogether(commands: PendingCommand[]): void {
    this.pool.sendTogether(commands);
  }

  addNotificationHook(hook: NotificationHook): void {
    this.removers.set(hook, this.pool.addNotificationHook(hook));
  }

  removeNotificationHook(hook: NotificationHook): void {
    this.removers.get(hook)?.();
    this.removers.delete(hook);
  }

  /** Whether a connection can take commands now (a refresh asks such a node first). */
  get reachable(): boolean {
    for (const connection of this.pool.connections.values()) if (connection.ready) return true;
    return false;
  }

  close(): Promise<void> {
    this.retired = true;
    return this.pool.close();
  }
}
