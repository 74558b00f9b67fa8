import { MeshError, isMeshError } from "@meshwork/protocol";

// Messages ioredis gives its own connection failures (they carry no code of their own).
const CONNECTION_MESSAGES = [
  "Connection is closed.",
  "Command timed out",
  "Stream isn't writeable",
  "Reached the max retries per request limit",
  // A Redis Cluster command that kept being redirected or retried while a shard failed over.
  "Too many Cluster redirections",
  "Cluster is ended",
];
// Errors ioredis names by their class rather than their message.
const CONNECTION_ERROR_NAMES = new Set(["MaxRetriesPerRequestError", "ClusterAllFailedError"]);
// Socket errors a command can fail with while the connection breaks.
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTCONN"]);
// Redis replies that mean "not serving right now" rather than "this command was wrong".
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;

/** The error every operation that needs the shared state rejects with while it cannot be reached. */
export function stateUnavailable(reason: string, cause?: unknown): MeshError {
  return new MeshError("STATE_UNAVAILABLE", `The shared state is unreachable: ${reason}`, { cause });
}

/** Whether an error says the connection to Redis failed, not that Redis refused the command. */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error) || isMeshError(error)) return false;
  if (CONNECTION_ERROR_NAMES.has(error.name)) return true;
  if (error.name === "ReplyError") return UNAVAILABLE_REPLIES.test(error.message);
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && SOCKET_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.some((message) => error.message.startsWith(message));
}

/** A connection failure as `STATE_UNAVAILABLE` (the original kept as `cause`); any other error unchanged. */
export function toStateError(error: unknown): unknown {
  return isConnectionFailure(error) ? stateUnavailable((error as Error).message, error) : error;
}
