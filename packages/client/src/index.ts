export { MeshClient } from "./meshClient";
export { DEFAULT_CLIENT_OPTIONS, type MeshClientOptions } from "./options";
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
} from "./types";
export {
  MeshError,
  isMeshError,
  ERROR_CODES,
  CLOSE_CODES,
  type MeshErrorCode,
  type AnyErrorCode,
  type CloseAction,
  type ClientLifecycleEvent,
} from "@meshwork/protocol";
