export type {
  MeshState,
  ConnectionMetadata,
  ConnectionMetadataEntry,
  RoomMetadata,
  ReapedConnection,
} from "./meshState";
export type { MeshBus, BusTopic, BusHandler } from "./bus";
export { MemoryState } from "./memoryState";
export { createInstanceId } from "./instanceId";
export { createKeys, escapeKeyComponent, type MeshKeys } from "./keys";
export { RedisState, type RedisStateOptions, type RedisConnection } from "./redisState";
export type { RedisOptions } from "ioredis";
export { InstanceMonitor, type InstanceMonitorOptions } from "./instanceMonitor";
export {
  channelBusMessage,
  type StoredPosition,
  type StoredMessage,
  type ChannelRecovery,
  type ChannelSnapshot,
} from "./channelHistory";
export {
  recordBusMessage,
  recordChangeHead,
  readRecordBusMessage,
  type RecordBusChange,
  type StoredRecord,
  type RecordCommit,
  type RecordWrite,
  type RecordBusHeader,
} from "./recordStore";
