import type { RelaxReason } from './maintenance/relax.js';
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
  | { type: 'connection.relaxed'; connectionId: string; endpoint: string; source: string; timeoutMs: number }
  | { type: 'connection.unrelaxed'; connectionId: string; endpoint: string; source: string; reason: RelaxReason }
  | { type: 'handoff.queued'; connectionId: string; from: string; to: string; seq: number; overflow: boolean }
  | { type: 'handoff.started'; connectionId: string; from: string; to: string; seq: number }
  | { type: 'handoff.retried'; connectionId: string; to: string; seq: number; attempt: number; reason: string }
  | { type: 'handoff.succeeded'; connectionId: string; from: string; to: string; seq: number; attempts: number; durationMs: number }
  | { type: 'handoff.failed'; connectionId: string; to: string; seq: number; attempts: number; reason: string }
  | { type: 'handoff.fellBack'; connectionId: string; to: string; reason: string }
  | { type: 'endpoint.moved'; from: string; to: string; seq: number; timeS: number }
  | { type: 'notification.received'; connectionId: string; endpoint: string; notification: MaintenanceNotification }
  | { type: 'notification.ignored'; connectionId: string; endpoint: string; notification: MaintenanceNotification; reason: 'duplicate' | 'vetoed' | 'not-applicable' }
  | { type: 'notification.invalid'; connectionId: string; endpoint: string; notificationType: MaintenanceNotificationType; reason: string }
  | { type: 'endpoint.support'; endpoint: string; support: MaintSupport; reason?: string }
  | { type: 'pool.resized'; size: number; dedicated: number }
  /** A blocking command was cut short on the old endpoint (CLIENT UNBLOCK, nothing taken) and issued again on the new socket. */
  | { type: 'command.carried'; connectionId: string; command: string; from: string; to: string; remainingMs: number }
  /** The subscriber socket is open and subscribed (first time, or again after a loss). */
  | { type: 'pubsub.connected'; endpoint: string }
  /** The subscriber socket closed unannounced; messages published until `pubsub.resubscribed` are not received. */
  | { type: 'pubsub.lost'; endpoint: string; reason: string }
  /** Subscribed again after a loss: messages published during `downtimeMs` are gone (Redis pub/sub keeps none). */
  | { type: 'pubsub.resubscribed'; endpoint: string; downtimeMs: number; channels: number; patterns: number; shardChannels: number }
  /** A MOVING carried the subscriptions to a new socket; `exact`: the fence cut over with no loss and no duplicate. */
  | { type: 'pubsub.moved'; from: string; to: string; seq: number; exact: boolean; durationMs: number; reason?: string }
  | { type: 'pubsub.moveFailed'; to: string; seq: number; reason: string }
);

/** The `type` of a lifecycle event. */
export type LifecycleEventType = LifecycleEvent['type'];

/** Distributive Omit, so each member of the union keeps its own fields. */
export type EventInit = LifecycleEvent extends infer E ? (E extends LifecycleEvent ? Omit<E, 'at'> : never) : never;

export type EmitEvent = (event: EventInit) => void;
