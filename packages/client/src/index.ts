export { MeshClient } from "./meshClient";
export { applyPatch } from "./applyPatch";
export { Status } from "./status";
export { DEFAULT_CLIENT_OPTIONS, type MeshClientOptions } from "./options";
export type { MeshUrls } from "./urlRotation";
export { setDefaultWebSocket, type WebSocketLike, type WebSocketConstructor } from "./webSocket";
export type { Unsubscribe } from "./emitter";
export type {
  ClientStatus,
  CommandOptions,
  CommandDefinition,
  CommandMap,
  CommandName,
  CommandPayload,
  CommandResult,
  CommandArgs,
  UntypedCommands,
  UntypedEvents,
  PushEventName,
  DisconnectInfo,
  OnlineInfo,
  ClientLifecycleHandlers,
  ChannelCallback,
  SubscribeOptions,
  SubscribeResult,
  RecoveryInfo,
  RecordUpdate,
  RecordCallback,
  SubscribeRecordOptions,
  SubscribeRecordResult,
  PublishRecordUpdateOptions,
  PublishRecordUpdateResult,
  RoomMember,
  JoinRoomResult,
  LeaveRoomResult,
} from "./types";
export type {
  StoreStatus,
  ExternalStore,
  ChannelStore,
  ChannelStoreSnapshot,
  RecordStore,
  RecordStoreSnapshot,
} from "./storeTypes";
export type {
  PresenceEventInfo,
  PresenceCallback,
  PresenceMemberInfo,
  SubscribePresenceResult,
  PublishPresenceStateOptions,
  PresenceStateResult,
  PresenceStoreSnapshot,
  PresenceStore,
} from "./presence/presenceTypes";
export {
  MeshError,
  isMeshError,
  ERROR_CODES,
  CLOSE_CODES,
  type MeshErrorCode,
  type AnyErrorCode,
  type CloseAction,
  type ClientLifecycleEvent,
  MAX_HISTORY_LIMIT,
  MAX_CHANNEL_NAME_LENGTH,
  MAX_RECORD_ID_LENGTH,
  type RecordMode,
  type PatchOperation,
} from "@meshwork/protocol";
