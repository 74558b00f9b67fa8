import { MeshError } from "@meshwork/protocol";

/**
 * A function type whose parameter is checked bivariantly, like a method's. Both `ws` and the DOM type their
 * handler properties with their own richer event classes; bivariance lets those implementations satisfy the
 * minimal event shapes below without casts.
 */
type Handler<TEvent> = { bivarianceHack(event: TEvent): void }["bivarianceHack"];

/** `readyState` values shared by the browser WebSocket and `ws`. */
export const WS_READY_STATE = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/**
 * The subset of the WebSocket API the client uses. The browser's native `WebSocket` and the `ws` package both
 * satisfy it, so either (or a test double) can be injected through the `WebSocket` option.
 */
export interface WebSocketLike {
  /** One of {@link WS_READY_STATE}. */
  readonly readyState: number;
  /** The subprotocol the server selected. */
  readonly protocol: string;
  /** Receives every frame; the client sends and expects text frames only. */
  onmessage: Handler<{ readonly data: unknown }> | null;
  /** Receives the close code and reason once the socket has closed. */
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  /** Receives socket errors; a close event always follows, so the client only keeps the message. */
  onerror: Handler<unknown> | null;
  /** Sends a text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Drops the socket without a closing handshake. `ws` has it; browsers do not, so it is optional. */
  terminate?(): void;
}

/** A WebSocket constructor: `new WebSocket(url, protocols)`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

let defaultWebSocket: WebSocketConstructor | undefined;

/**
 * Sets the WebSocket implementation used by clients created without a `WebSocket` option. The package's Node
 * entry calls it with `ws`; the browser entry leaves it unset so the native `WebSocket` is used.
 * Pass `undefined` to clear it.
 */
export function setDefaultWebSocket(implementation: WebSocketConstructor | undefined): void {
  defaultWebSocket = implementation;
}

/**
 * Picks the WebSocket implementation for a client: the explicit option, else the default set with
 * {@link setDefaultWebSocket}, else `globalThis.WebSocket`.
 *
 * @throws MeshError `NOT_CONNECTED` when none is available, since no connection could ever be made.
 */
export function resolveWebSocket(explicit?: WebSocketConstructor): WebSocketConstructor {
  const found = explicit ?? defaultWebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (found === undefined) {
    throw new MeshError(
      "NOT_CONNECTED",
      "No WebSocket implementation found: pass one as the `WebSocket` option, import @meshwork/client " +
        "under Node (its node entry uses `ws`), or run where `globalThis.WebSocket` exists.",
    );
  }
  return found;
}
