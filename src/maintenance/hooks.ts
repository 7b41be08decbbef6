import type { MaintenanceNotification, MaintenanceNotificationType } from '../protocol/notifications.js';

/** Where a notification arrived. */
export interface NotificationContext {
  connectionId: string;
  endpoint: string;
}

/** What handling a notification did. */
export interface NotificationResult {
  outcome: 'relaxed' | 'unrelaxed' | 'handoff' | 'duplicate' | 'vetoed' | 'not-applicable' | 'error';
  /** Connections the notification acted on (pool-wide effects reach every connection to the endpoint). */
  connections: number;
  durationMs: number;
  error?: unknown;
}

/** The step of a handoff a hook's `onHandoff` is told about. */
export type HandoffPhase = 'started' | 'succeeded' | 'failed';

/**
 * Observe or change maintenance handling. `preHook` may return a changed notification, or
 * `false` to veto it (nothing is done); `postHook` sees the notification as handled and the
 * result. A hook that throws is reported and skipped; it never breaks handling.
 */
export interface NotificationHook {
  /** Sees each notification before it is acted on: return a changed one, `false` to veto it, or nothing to let it through. */
  preHook?(context: NotificationContext, notification: MaintenanceNotification): MaintenanceNotification | false | void;
  /** Sees each notification after it was acted on, with the result. */
  postHook?(context: NotificationContext, notification: MaintenanceNotification, result: NotificationResult): void;
  /** Told when a handoff starts, succeeds or fails. */
  onHandoff?(phase: HandoffPhase, details: { connectionId: string; endpoint: string; durationMs?: number }): void;
  /** A maintenance frame that could not be read (reported and otherwise ignored). */
  onInvalid?(context: NotificationContext, type: MaintenanceNotificationType, reason: string): void;
}

/** How many notifications of a type were processed, and how long that took in all. */
export interface ProcessingTime {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** What the metrics hook has counted so far. */
export interface MaintenanceMetrics {
  notificationCounts: Partial<Record<MaintenanceNotificationType, number>>;
  processingTimes: Partial<Record<MaintenanceNotificationType, ProcessingTime>>;
  /** Handling that failed, and frames of the type that could not be read. */
  errorCounts: Partial<Record<MaintenanceNotificationType, number>>;
  handoffs: { started: number; succeeded: number; failed: number };
}

export interface MetricsHook extends NotificationHook {
  /** A copy of the counters so far. */
  getMetrics(): MaintenanceMetrics;
}

/** Counts notifications, their processing times and errors per type, and handoffs. */
export function createMetricsHook(): MetricsHook {
  const metrics: MaintenanceMetrics = { notificationCounts: {}, processingTimes: {}, errorCounts: {}, handoffs: { started: 0, succeeded: 0, failed: 0 } };
  return {
    postHook(_context, notification, result) {
      const type = notification.type;
      metrics.notificationCounts[type] = (metrics.notificationCounts[type] ?? 0) + 1;
      const time = (metrics.processingTimes[type] ??= { count: 0, totalMs: 0, maxMs: 0 });
      time.count += 1;
      time.totalMs += result.durationMs;
      time.maxMs = Math.max(time.maxMs, result.durationMs);
      if (result.outcome === 'error') metrics.errorCounts[type] = (metrics.errorCounts[type] ?? 0) + 1;
    },
    onHandoff(phase) {
      metrics.handoffs[phase] += 1;
    },
    onInvalid(_context, type) {
      metrics.errorCounts[type] = (metrics.errorCounts[type] ?? 0) + 1;
    },
    getMetrics() {
      return structuredClone(metrics);
    },
  };
}
