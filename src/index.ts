export { createMaintClient } from './client/client.js';
export type { MaintClient, CommandTuple } from './client/client.js';
export type { Transaction, WatchOptions } from './transactions/watch.js';
export type { CacheStats } from './cache/client-cache.js';
export type { PubSubMessage, PubSubListener, SubscribeOptions } from './pubsub/types.js';
export type { ClientState, ConnectionSnapshot, NotificationRecord } from './client/state.js';
export { resolveMaintConfig } from './config.js';
export { createMetricsHook } from './maintenance/hooks.js';
export type { NotificationHook, NotificationContext, NotificationResult, MetricsHook, MaintenanceMetrics, ProcessingTime, HandoffPhase } from './maintenance/hooks.js';
export type {
  MaintClientOptions,
  MaintNotificationsOptions,
  ClientSideCacheOptions,
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
export type { HitlessErrorCode, HitlessErrorOptions } from './errors.js';
export type { LifecycleEvent, LifecycleEventType } from './events.js';
export type { Logger } from './log.js';
export type { Credentials, CredentialsProvider } from './credentials/provider.js';
export type { MaintenanceNotification, MaintenanceNotificationType, SlotRange, SlotMove } from './protocol/notifications.js';
export type { Endpoint } from './protocol/endpoint.js';
export type { MaintSupport } from './protocol/handshake.js';
export type { RespValue, RespArgument, RespErrorValue } from './protocol/types.js';
export type { ConnectionStateValue, RelaxReason } from './machines/connection.machine.js';
export type { CommandMethods, BitmapCommands, GenericCommands, GeoCommands, HashCommands, HyperloglogCommands, ListCommands, ScriptingCommands, ServerCommands, SetCommands, SortedSetCommands, StreamCommands, StringCommands } from './commands/generated/methods.js';
export type { CommandHelpers } from './commands/methods.js';
export type { PubSubMethods } from './pubsub/methods.js';
export type { CommandArgument } from './commands/command-entry.js';
export type { ScanOptions } from './commands/scan.js';
export type { Script, ScriptDefinition } from './commands/scripts.js';
export { createMaintCluster } from './cluster/cluster.js';
export type { MaintCluster } from './cluster/cluster.js';
export type { MaintClusterOptions, ReadFrom } from './cluster/options.js';
export type { ClusterEvent } from './cluster/state.js';
export type { ClusterState, ClusterNodeState, ClusterNotificationRecord } from './cluster/state.js';
