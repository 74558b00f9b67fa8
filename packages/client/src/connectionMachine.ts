import { type CloseAction, type HelloMessage, closeActionFor } from "@meshwork/protocol";
import type { TransitionTable } from "./fsm";
import type { ClientStatus } from "./types";

/**
 * Internal states of the connection:
 * - `idle`: no socket and no plan to open one (never started, closed, failed or gave up);
 * - `connecting`: an attempt of a `connect()` from offline, waiting for the socket and the server's hello; with
 *   several URLs a failed attempt enters it again on the next URL, until each URL was tried once;
 * - `online`: hello received, commands flow;
 * - `backoff`: the connection dropped; waiting before the next attempt;
 * - `reconnecting`: a reconnect attempt, waiting for the socket and the server's hello;
 * - `restoring`: hello received again; subscriptions are being restored before the client counts as online.
 */
export type ConnectionState = "idle" | "connecting" | "online" | "backoff" | "reconnecting" | "restoring";

/** Events that move the connection between states. */
export type ConnectionEvent =
  /** The application called `connect()`. */
  | { readonly type: "CONNECT" }
  /** The server's hello arrived on the current socket. */
  | { readonly type: "HELLO"; readonly hello: HelloMessage }
  /** Every restorer finished after a reconnect. */
  | { readonly type: "RESTORED" }
  /**
   * The socket is gone or must go: closed by the server or the network, or given up by the client itself
   * (`local`), e.g. no pings, no hello in time, or a hello of another protocol version.
   */
  | { readonly type: "SOCKET_CLOSED"; readonly code: number; readonly reason: string; readonly local: boolean }
  /** The backoff delay elapsed. */
  | { readonly type: "RETRY" }
  /** The application called `close()`. */
  | { readonly type: "CLOSE" };

/** What the transition table needs to decide whether to reconnect. */
export interface ConnectionContext {
  readonly shouldReconnect: boolean;
  readonly maxReconnectAttempts: number;
  /** Reconnect attempts since the client was last online. */
  attempts: number;
  /** How many URLs the client was given. */
  readonly urlCount: number;
  /** URLs the current `connect()` from offline has not tried yet. */
  untriedUrls: number;
}

/** What follows the loss of a socket: another attempt, giving up after the last attempt, or stopping. */
export type DropOutcome = "retry" | "exhausted" | "stop";

/**
 * Decides what follows a lost socket. Close codes marked `stop` or `reauthenticate` never reconnect, since the
 * same attempt would fail the same way; other drops retry while attempts remain.
 */
export function dropOutcome(code: number, context: Readonly<ConnectionContext>): DropOutcome {
  const action: CloseAction = closeActionFor(code);
  if (action !== "retry" || !context.shouldReconnect) return "stop";
  return context.attempts < context.maxReconnectAttempts ? "retry" : "exhausted";
}

function afterDrop(
  event: Extract<ConnectionEvent, { type: "SOCKET_CLOSED" }>,
  context: Readonly<ConnectionContext>,
): ConnectionState {
  return dropOutcome(event.code, context) === "retry" ? "backoff" : "idle";
}

/** The one transition table of the connection. */
export const CONNECTION_TRANSITIONS: TransitionTable<ConnectionState, ConnectionEvent, ConnectionContext> = {
  idle: { CONNECT: "connecting" },
  // Only a connection that was online once reconnects on its own. A `connect()` tries each URL once, at once
  // (backoff is for reconnects), and rejects when the last one fails.
  connecting: {
    HELLO: "online",
    SOCKET_CLOSED: (_event, context) => (context.untriedUrls > 0 ? "connecting" : "idle"),
    CLOSE: "idle",
  },
  online: { SOCKET_CLOSED: afterDrop, CLOSE: "idle" },
  // An explicit `connect()` while waiting skips the rest of the delay.
  backoff: { RETRY: "reconnecting", CONNECT: "reconnecting", CLOSE: "idle" },
  reconnecting: { HELLO: "restoring", SOCKET_CLOSED: afterDrop, CLOSE: "idle" },
  restoring: { RESTORED: "online", SOCKET_CLOSED: afterDrop, CLOSE: "idle" },
};

const STATUS_BY_STATE: Readonly<Record<ConnectionState, ClientStatus>> = {
  idle: "offline",
  connecting: "connecting",
  online: "online",
  backoff: "reconnecting",
  reconnecting: "reconnecting",
  restoring: "reconnecting",
};

/** The public status of an internal state. Several states share one status, so not every transition changes it. */
export function statusOf(state: ConnectionState): ClientStatus {
  return STATUS_BY_STATE[state];
}

/** States in which the socket has delivered its hello and can carry requests. */
export function isEstablished(state: ConnectionState): boolean {
  return state === "online" || state === "restoring";
}
