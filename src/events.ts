import type { MaintSupport } from './protocol/handshake.js';
import type { MaintenanceNotification, MaintenanceNotificationType } from './protocol/notifications.js';

/**
 * Everything `client.events$` reports: one union, a literal `type`, a flat payload, and `at`
 * (milliseconds since the epoch). Rare by design: nothing here is emitted per command.
 */
export type LifecycleEvent = { at: number } & (
  | { type: 'connection.created'; connectionId: string; endpoint: string; dedicated: boolean }
  | { type: 'connection.ready'; connectionId: string; endpoint: string }
  | { type: 'connection.lost'; connectionId: string; endpoint: string; reason: string }
  | { type: 'connection.reconnecting'; connectionId: string; endpoint: string; attempt: number; delayMs: number; reason: string }
  | { type: 'connection.closed'; connectionId: string; endpoint: string }
  | { type: 'notification.received'; connectionId: string; endpoint: string; notification: MaintenanceNotification }
  | { type: 'notification.invalid'; connectionId: string; endpoint: string; notificationType: MaintenanceNotificationType; reason: string }
  | { type: 'endpoint.support'; endpoint: string; support: MaintSupport; reason?: string }
  | { type: 'pool.resized'; size: number; dedicated: number }
);

export type LifecycleEventType = LifecycleEvent['type'];

/** Distributive Omit, so each member of the union keeps its own fields. */
export type EventInit = LifecycleEvent extends infer E ? (E extends LifecycleEvent ? Omit<E, 'at'> : never) : never;

export type EmitEvent = (event: EventInit) => void;
