import type { ResolvedMaintConfig } from '../config.js';
import type { EmitEvent } from '../events.js';
import type { Logger } from '../log.js';
import { CLOSING_NOTIFICATION, relaxSource, type RelaxFamily } from './relax.js';
import { formatEndpoint, type Endpoint } from '../protocol/endpoint.js';
import { classifyPush, type MaintenanceNotification, type MaintenanceNotificationType } from '../protocol/notifications.js';
import type { RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import type { MaintainedConnection } from './maintained.js';
import type { NotificationContext, NotificationHook, NotificationResult } from './hooks.js';

export interface MaintenanceHost<C extends MaintainedConnection> {
  config: ResolvedMaintConfig;
  configuredEndpoint: Endpoint;
  clock: Clock;
  emit: EmitEvent;
  logger: Logger;
  /** Live connections whose socket reaches `endpoint` (pooled and dedicated). */
  connectionsAt(endpoint: string): C[];
  /** Every parsed notification, before handling (feeds `notifications$`). */
  onNotification(connection: C, notification: MaintenanceNotification): void;
  /** The pool's address for new dials from now on. */
  moveTo(target: Endpoint, details: { seq: number; timeS: number; from: string }): void;
}

/** Pool-wide keys kept to de-duplicate the copies of one notification each connection receives. */
const RECENT_KEPT = 256;

/**
 * Turns maintenance notifications into actions (SPEC §5): relaxations fan out to every
 * connection to the endpoint, closing notifications end them, and a MOVING re-points the pool
 * and moves the connection that received it. Hooks see and may change or veto each one.
 */
export class MaintenanceHandler<C extends MaintainedConnection> {
  readonly hooks: NotificationHook[] = [];
  private readonly recent = new Set<string>();

  constructor(private readonly host: MaintenanceHost<C>) {}

  /** A push frame arrived: maintenance notifications are handled, unreadable ones reported, others ignored. */
  push(connection: C, frame: RespValue[]): void {
    const classified = classifyPush(frame);
    const context = { connectionId: connection.id, endpoint: connection.endpointText };
    if (classified.kind === 'maintenance') {
      this.host.emit({ type: 'notification.received', ...context, notification: classified.notification });
      this.host.onNotification(connection, classified.notification);
      if (this.host.config.mode === 'disabled') {
        this.host.emit({ type: 'notification.ignored', ...context, notification: classified.notification, reason: 'not-applicable' });
      } else {
        this.handle(connection, classified.notification);
      }
    } else if (classified.kind === 'invalid') {
      this.host.emit({ type: 'notification.invalid', ...context, notificationType: classified.type, reason: classified.reason });
      this.host.logger.warn(`ignored an unreadable ${classified.type} notification: ${classified.reason}`);
      this.invalid(connection, classified.type, classified.reason);
    } else {
      this.host.logger.debug(`push frame "${classified.type}" has no consumer; ignored`);
    }
  }

  handle(connection: C, received: MaintenanceNotification): void {
    const started = performance.now();
    const context: NotificationContext = { connectionId: connection.id, endpoint: connection.endpointText };
    let notification = received;
    for (const hook of this.hooks) {
      const changed = this.safely('preHook', () => hook.preHook?.(context, notification));
      if (changed === false) {
        this.host.emit({ type: 'notification.ignored', ...context, notification, reason: 'vetoed' });
        this.finish(context, notification, { outcome: 'vetoed', connections: 0 }, started);
        return;
      }
      if (changed !== undefined && changed !== null && typeof changed === 'object') notification = changed;
    }
    let result: Omit<NotificationResult, 'durationMs'>;
    try {
      result = this.apply(connection, notification);
    } catch (error) {
      this.host.logger.error(`handling ${notification.type} failed`, error);
      result = { outcome: 'error', connections: 0, error };
    }
    if (result.outcome === 'duplicate' || result.outcome === 'not-applicable') {
      this.host.emit({ type: 'notification.ignored', ...context, notification, reason: result.outcome });
    }
    this.finish(context, notification, result, started);
  }

  /** A maintenance frame that could not be read: reported to the hooks, otherwise ignored. */
  invalid(connection: C, type: MaintenanceNotificationType, reason: string): void {
    const context: NotificationContext = { connectionId: connection.id, endpoint: connection.endpointText };
    for (const hook of this.hooks) this.safely('onInvalid', () => hook.onInvalid?.(context, type, reason));
  }

  private apply(connection: C, notification: MaintenanceNotification): Omit<NotificationResult, 'durationMs'> {
    switch (notification.type) {
      case 'MIGRATING':
      case 'FAILING_OVER':
      case 'SMIGRATING':
        return this.relax(connection, notification.type, notification.seq);
      case 'MIGRATED':
      case 'FAILED_OVER':
      case 'SMIGRATED':
        return this.unrelax(connection, CLOSING_NOTIFICATION[notification.type], notification.seq, notification.type);
      case 'MOVING':
        return this.moving(connection, notification);
    }
  }

  private relax(connection: C, family: RelaxFamily, seq: number): Omit<NotificationResult, 'durationMs'> {
    if (!this.firstTime(`${family}:${seq}@${connection.endpointText}`)) return { outcome: 'duplicate', connections: 0 };
    const targets = this.host.connectionsAt(connection.endpointText);
    const backstopMs = 3 * this.host.config.relaxedTimeout;
    for (const target of targets) target.order({ type: 'relax.add', source: relaxSource(family, seq), backstopMs });
    return { outcome: 'relaxed', connections: targets.length };
  }

  private unrelax(connection: C, family: RelaxFamily, seq: number, type: string): Omit<NotificationResult, 'durationMs'> {
    if (!this.firstTime(`${type}:${seq}@${connection.endpointText}`)) return { outcome: 'duplicate', connections: 0 };
    const targets = this.host.connectionsAt(connection.endpointText);
    for (const target of targets) target.order({ type: 'relax.remove', family, seq });
    return { outcome: 'unrelaxed', connections: targets.length };
  }

  private moving(connection: C, notification: Extract<MaintenanceNotification, { type: 'MOVING' }>): Omit<NotificationResult, 'durationMs'> {
    const announced = notification.endpoint === null ? null : formatEndpoint(notification.endpoint);
    const target = notification.endpoint ?? this.host.configuredEndpoint;
    const from = connection.endpointText;
    if (this.firstTime(`MOVING:${notification.seq}|${announced ?? ''}`)) {
      this.host.moveTo(target, { seq: notification.seq, timeS: notification.timeS, from });
    }
    const duplicate = connection.seenMovings().includes(`${notification.seq}|${announced ?? ''}`);
    const now = this.host.clock.now();
    const timeMs = notification.timeS * 1000;
    connection.order({
      // A copy may be news about the socket being opened (the machine decides; see 'moving.again').
      type: duplicate ? 'moving.again' : 'moving',
      seq: notification.seq,
      endpoint: announced,
      target: formatEndpoint(target),
      beginAt: announced === null ? now + timeMs / 2 : now,
      deadlineAt: now + timeMs,
    });
    return duplicate ? { outcome: 'duplicate', connections: 0 } : { outcome: 'handoff', connections: 1 };
  }

  private firstTime(key: string): boolean {
    if (this.recent.has(key)) return false;
    this.recent.add(key);
    if (this.recent.size > RECENT_KEPT) this.recent.delete(this.recent.values().next().value as string);
    return true;
  }

  private finish(context: NotificationContext, notification: MaintenanceNotification, result: Omit<NotificationResult, 'durationMs'>, started: number): void {
    const complete: NotificationResult = { ...result, durationMs: performance.now() - started };
    for (const hook of this.hooks) this.safely('postHook', () => hook.postHook?.(context, notification, complete));
  }

  private safely<T>(what: string, run: () => T): T | undefined {
    try {
      return run();
    } catch (error) {
      this.host.logger.warn(`a notification ${what} threw; skipped`, error);
      return undefined;
    }
  }
}
