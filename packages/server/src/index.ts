export { MeshServer } from "./meshServer";
export {
  DEFAULT_SERVER_OPTIONS,
  defaultLogger,
  type MeshServerOptions,
  type MeshLogger,
  type AuthenticateConnection,
} from "./options";
export type { GracefulShutdownOptions } from "./shutdown/signals";
export { Connection, type ConnectionRef } from "./connections/connection";
export { ConnectionManager } from "./connections/connectionManager";
export type {
  MeshServerApi,
  MeshContext,
  MeshContextBase,
  MeshContextExtensions,
  Middleware,
  CommandHandler,
  CommandOptions,
  SchemaCommandOptions,
  PayloadSchema,
} from "./serverApi";
export type { MeshServerEventMap, DisconnectInfo, InstanceDownInfo } from "./events";
export { RoomManager } from "./rooms/roomManager";
export type { HealthReport, HealthStatus } from "./health/healthReport";
export {
  createHealthHandler,
  type HealthSource,
  type HealthRequestListener,
} from "./health/healthHandler";
export { HEALTH_PROBE_TIMEOUT_MS } from "./health/checkHealth";
export {
  createMetricsHandler,
  METRICS_CONTENT_TYPE,
  type MetricsSource,
  type MetricsRequestListener,
} from "./metrics/metricsHandler";
export type { MetricsRegistry } from "./metrics/metricsOptions";
export type { VersionedValue, VersionedValue as RecordSnapshot, RecordWriteOptions } from "./records/recordWriter";
export type { AccessGuard, AccessGuard as ChannelGuard } from "./access/accessRules";
export type { ConnectionMetadataGuard } from "./access/connectionMetadataAccess";
export type { TrackPresenceOptions, RoomPresence } from "./presence/presenceTypes";
export type {
  ConnectionMetadata,
  ConnectionMetadataEntry,
  MeshState,
  RoomMetadata,
  ReapedConnection,
  RedisOptions,
  RedisClusterConnection,
  ClusterNode,
} from "@meshwork/redis-state";
export { MemoryState, RedisState } from "@meshwork/redis-state";
export { MeshError, isMeshError, ERROR_CODES, CLOSE_CODES } from "@meshwork/protocol";
