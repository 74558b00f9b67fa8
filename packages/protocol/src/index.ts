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
  pingMessageSchema,
  latencyProbeMessageSchema,
  latencyMessageSchema,
  serverMessageSchema,
  type WireError,
  type HelloMessage,
  type ResponseMessage,
  type ErrorMessage,
  type PushMessage,
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
