/**
 * Every error code meshwork itself produces, with what it means. Application handlers may throw
 * errors with codes of their own; those travel unchanged.
 */
export const ERROR_CODES = {
  BAD_MESSAGE: "The frame was not valid JSON or not a valid meshwork message.",
  UNKNOWN_COMMAND: "No command with this name is registered on the server.",
  INVALID_PAYLOAD: "The payload did not match the command's schema; `details` holds the issues.",
  COMMAND_FAILED: "The command handler or a middleware threw an error without a code of its own.",
  TIMEOUT: "No response arrived within the command's timeout.",
  UNAUTHORIZED: "The connection is not authenticated for this operation.",
  FORBIDDEN: "A guard denied the operation.",
  NOT_CONNECTED: "The client is offline and not reconnecting, so the command could not be sent.",
  CONNECTION_CLOSED: "The connection closed before a response arrived, and the command may or may not have run.",
  QUEUE_FULL: "Too many commands are waiting for the connection to come back.",
  PAYLOAD_TOO_LARGE: "The encoded message is larger than the server accepts.",
  NOT_FOUND: "The connection, room or record named does not exist.",
  VERSION_CONFLICT: "Another write changed the record first; the expected version no longer matches.",
  RATE_LIMITED: "Too many messages in too short a time.",
  INTERNAL_ERROR: "The server failed in a way that is not the caller's fault.",
  STATE_UNAVAILABLE:
    "The shared state (Redis) is unreachable, so the operation was refused at once; retry once it is back.",
  SUBSCRIPTION_LIMIT:
    "The connection holds as many subscriptions (channels, records, rooms, presence) as the server allows.",
  SHUTTING_DOWN:
    "The server is shutting down and did not run the command; the client sends it again after reconnecting elsewhere.",
} as const;

/** A code meshwork produces. */
export type MeshErrorCode = keyof typeof ERROR_CODES;

/** Any error code: one of meshwork's or an application's own. */
export type AnyErrorCode = MeshErrorCode | (string & {});

/** Tells whether a string is one of meshwork's own error codes. */
export function isMeshErrorCode(code: string): code is MeshErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
