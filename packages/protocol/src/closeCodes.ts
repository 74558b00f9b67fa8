/** What a client should do after the server closed its socket with a given code. */
export type CloseAction = "retry" | "reauthenticate" | "stop";

interface CloseCodeInfo {
  readonly code: number;
  readonly action: CloseAction;
  readonly reason: string;
}

/**
 * Every close code meshwork sends, each marked with what the client does next:
 * - `retry`: reconnect with backoff;
 * - `reauthenticate`: reconnecting as before will fail again; the app must get new credentials;
 * - `stop`: do not reconnect.
 */
export const CLOSE_CODES = {
  /** The application closed the connection on purpose. */
  NORMAL: { code: 1000, action: "stop", reason: "closed" },
  /** The server is shutting down; another instance (or this one after a restart) will take the client. */
  GOING_AWAY: { code: 1001, action: "retry", reason: "server going away" },
  /** An incoming frame exceeded `maxPayload`. */
  MESSAGE_TOO_BIG: { code: 1009, action: "retry", reason: "message too big" },
  /** The server hit an unexpected error on this connection. */
  INTERNAL_ERROR: { code: 1011, action: "retry", reason: "internal error" },
  /** The client missed more than `maxMissedPongs` pings in a row. */
  PING_TIMEOUT: { code: 4000, action: "retry", reason: "ping timeout" },
  /** The connection's credentials are no longer accepted. */
  UNAUTHORIZED: { code: 4001, action: "reauthenticate", reason: "unauthorized" },
  /** The client speaks a protocol version the server does not. */
  PROTOCOL_MISMATCH: { code: 4002, action: "stop", reason: "protocol version mismatch" },
  /** The client sent too many malformed or invalid frames. */
  TOO_MANY_BAD_MESSAGES: { code: 4003, action: "stop", reason: "too many bad messages" },
  /** The client reads too slowly: its outgoing buffer grew past the server's limit. */
  SLOW_CONSUMER: { code: 4004, action: "retry", reason: "slow consumer" },
  /** The client kept sending requests after being rate limited (more than the server's `rateLimit.maxRejected`). */
  RATE_LIMITED: { code: 4005, action: "retry", reason: "rate limit exceeded" },
  /**
   * The shared state lost its data (a Redis restarted without persistence, or flushed): the client reconnects and
   * subscribes afresh, so it takes the new values and versions instead of comparing them with the lost ones.
   */
  STATE_RESET: { code: 4006, action: "retry", reason: "shared state was reset" },
} as const satisfies Record<string, CloseCodeInfo>;

export type CloseCodeName = keyof typeof CLOSE_CODES;

const actionByCode = new Map<number, CloseAction>(Object.values(CLOSE_CODES).map((info) => [info.code, info.action]));

/**
 * What to do after a close with `code`. Codes meshwork does not define (1006 for a dropped
 * connection, proxies' codes) are treated as transient: `retry`.
 */
export function closeActionFor(code: number): CloseAction {
  return actionByCode.get(code) ?? "retry";
}
