export type { MeshState, StateProbe } from "./meshState";
export type { StateObserver } from "./stateObservers";
export type { ConnectionStore, ConnectionMetadata, ConnectionMetadataEntry } from "./connections/connectionStore";
export type { RoomStore, RoomMetadata } from "./rooms/roomStore";
export type { ChannelStore } from "./channels/channelStore";
export type { RecordStore, StoredRecord, RecordCommit, RecordWrite } from "./records/recordStore";
export type { InstanceStore, ReapOptions, ReapedConnection } from "./instances/instanceStore";
export {
  isAfterPosition,
  PRESENCE_POSITION_TTL_MS,
  type PresenceStore,
  type PresenceEvent,
  type PresenceEntry,
  type PresenceJoin,
  type PresenceMember,
  type PresencePosition,
  type PresenceSnapshot,
  type PresenceStateUpdate,
} from "./presence/presenceStore";
export type { MeshBus, BusTopic, BusHandler } from "./bus/bus";
export { MemoryState } from "./memoryState";
export { createInstanceId } from "./instanceId";
export { createKeys, escapeKeyComponent, type MeshKeys, type PresenceKeys } from "./keys";
export { RedisState, type RedisStateOptions } from "./redisState";
export {
  REDIS_COMMAND_TIMEOUT_MS,
  type RedisConnection,
  type RedisClusterConnection,
  isClusterConnection,
} from "./redis/redisConnect";
export { isConnectionFailure, stateUnavailable } from "./redis/stateUnavailable";
export type { RedisOptions, ClusterNode, ClusterOptions } from "ioredis";
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
  presenceBusMessage,
  readPresenceBusMessage,
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
  type PresenceBusHeader,
} from "./bus/busMessages";
