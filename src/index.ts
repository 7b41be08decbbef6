export { createMaintClient } from './client/client.js';
export type { MaintClient, CommandTuple } from './client/client.js';
export type { PubSubMessage, PubSubListener, SubscribeOptions } from './pubsub/types.js';
export type { ClientState, ConnectionSnapshot, NotificationRecord } from './client/state.js';
export { resolveMaintConfig } from './config.js';
export { createMetricsHook } from './maintenance/hooks.js';
export type { NotificationHook, NotificationContext, NotificationResult, MetricsHook, MaintenanceMetrics, ProcessingTime, HandoffPhase } from './maintenance/hooks.js';
export type {
  MaintClientOptions,
  MaintNotificationsOptions,
  MaintMode,
  EndpointType,
  LogLevel,
  ResolvedMaintConfig,
} from './config.js';
export {
  HitlessError,
  ConfigError,
  ProtocolError,
  RedisReplyError,
  ConnectionError,
  TimeoutError,
  TransactionError,
  UsageError,
} from './errors.js';
export type { HitlessErrorCode } from './errors.js';
export type { LifecycleEvent, LifecycleEventType } from './events.js';
export type { Logger } from './log.js';
export type { MaintenanceNotification, MaintenanceNotificationType, SlotRange, SlotMove } from './protocol/notifications.js';
export type { Endpoint } from './protocol/endpoint.js';
export type { MaintSupport } from './protocol/handshake.js';
export type { RespValue, RespArgument } from './protocol/types.js';
export type { ConnectionStateValue } from './machines/connection.machine.js';
export { instrumentOpenTelemetry, OTEL_METRIC_NAMES, OTEL_ATTRIBUTES } from './telemetry/opentelemetry.js';
export type { OpenTelemetryOptions } from './telemetry/opentelemetry.js';
