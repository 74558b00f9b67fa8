export type { MeshState } from "./meshState";
export type { ConnectionStore, ConnectionMetadata, ConnectionMetadataEntry } from "./connections/connectionStore";
export type { RoomStore, RoomMetadata } from "./rooms/roomStore";
export type { ChannelStore } from "./channels/channelStore";
export type { RecordStore, StoredRecord, RecordCommit, RecordWrite } from "./records/recordStore";
export type { InstanceStore, ReapOptions, ReapedConnection } from "./instances/instanceStore";
export type { MeshBus, BusTopic, BusHandler } from "./bus/bus";
export { MemoryState } from "./memoryState";
export { createInstanceId } from "./instanceId";
export { createKeys, escapeKeyComponent, type MeshKeys } from "./keys";
export { RedisState, type RedisStateOptions, type RedisConnection } from "./redisState";
export type { RedisOptions } from "ioredis";
export { InstanceMonitor, type InstanceMonitorOptions } from "./instances/instanceMonitor";
export type {
  StoredPosition,
  StoredMessage,
  ChannelRecovery,
  ChannelSnapshot,
  ChannelSnapshotOptions,
} from "./channels/channelRecovery";
export {
  encodeBusMessage,
  decodeBusMessage,
  channelBusMessage,
  recordChangeHead,
  recordBusMessage,
  recordDeletionMessage,
  readRecordBusMessage,
  type BusMessageType,
  type BusHeader,
  type BusMessage,
  type PushHeader,
  type RoomChangeHeader,
  type RoomClearHeader,
  type AckHeader,
  type CloseHeader,
  type ChannelHeader,
  type RecordBusHeader,
  type RecordBusChange,
} from "./bus/busMessages";
