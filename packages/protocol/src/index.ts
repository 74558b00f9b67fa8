export { PROTOCOL_VERSION, subprotocolFor, offeredProtocolVersions } from "./version";
export { ERROR_CODES, isMeshErrorCode, type MeshErrorCode, type AnyErrorCode } from "./errorCodes";
export { CLOSE_CODES, closeActionFor, type CloseAction, type CloseCodeName } from "./closeCodes";
export { MeshError, isMeshError, toMeshError } from "./meshError";
export {
  MAX_NAME_LENGTH,
  RESERVED_PREFIX,
  isReservedName,
  CLIENT_LIFECYCLE_EVENTS,
  isClientLifecycleEvent,
  type ClientLifecycleEvent,
} from "./limits";
export {
  requestIdSchema,
  requestMessageSchema,
  pongMessageSchema,
  latencyReplyMessageSchema,
  clientMessageSchema,
  type RequestMessage,
  type PongMessage,
  type LatencyReplyMessage,
  type ClientMessage,
} from "./clientMessages";
export {
  wireErrorSchema,
  helloMessageSchema,
  responseMessageSchema,
  errorMessageSchema,
  pushMessageSchema,
  channelMessageSchema,
  recordUpdateMessageSchema,
  pingMessageSchema,
  latencyProbeMessageSchema,
  latencyMessageSchema,
  serverMessageSchema,
  type WireError,
  type HelloMessage,
  type ResponseMessage,
  type ErrorMessage,
  type PushMessage,
  type ChannelMessage,
  type RecordUpdateMessage,
  type PingMessage,
  type LatencyProbeMessage,
  type LatencyMessage,
  type ServerMessage,
} from "./serverMessages";
export {
  parseClientMessage,
  parseServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  type ParseResult,
  type ParseFailure,
  type RawFrame,
} from "./parse";
export { parseClientMessageFast } from "./fastParse";
export {
  MAX_CHANNEL_NAME_LENGTH,
  MAX_HISTORY_LIMIT,
  CHANNEL_COMMANDS,
  channelNameSchema,
  channelPositionSchema,
  subscribeChannelPayloadSchema,
  subscribeChannelResultSchema,
  unsubscribeChannelPayloadSchema,
  type ChannelPosition,
  type SubscribeChannelPayload,
  type SubscribeChannelResult,
  type UnsubscribeChannelPayload,
} from "./channels";
export {
  MAX_RECORD_ID_LENGTH,
  RECORD_COMMANDS,
  recordIdSchema,
  recordModeSchema,
  patchOperationSchema,
  subscribeRecordPayloadSchema,
  subscribeRecordResultSchema,
  unsubscribeRecordPayloadSchema,
  publishRecordUpdatePayloadSchema,
  publishRecordUpdateResultSchema,
  type RecordMode,
  type PatchOperation,
  type SubscribeRecordPayload,
  type SubscribeRecordResult,
  type UnsubscribeRecordPayload,
  type PublishRecordUpdatePayload,
  type PublishRecordUpdateResult,
} from "./records";
export { roomNameSchema, type RoomName } from "./rooms";
export { encodeRecordUpdateFrame, type RecordUpdateForm } from "./recordUpdateFrame";
