import {
  MeshError,
  type ParseFailure,
  type RawFrame,
  type ServerMessage,
  parseServerMessage,
  subprotocolFor,
} from "@meshwork/protocol";
import { WS_READY_STATE, type WebSocketConstructor, type WebSocketLike } from "./webSocket";

/** What a {@link Transport} reports to its owner. */
export interface TransportHandlers {
  /** A frame parsed into a valid server message. */
  readonly message: (message: ServerMessage) => void;
  /** A frame that is not a valid server message; the transport stays open. */
  readonly invalidFrame: (failure: ParseFailure) => void;
  /** The socket closed. `reason` falls back to the last socket error, e.g. "connect ECONNREFUSED". */
  readonly close: (code: number, reason: string) => void;
}

/** How long {@link Transport.dispose} waits for the closing handshake before dropping the socket. */
const CLOSE_GRACE_MS = 1_000;

/** Close code for a socket that ended without a close frame (RFC 6455 §7.1.5). */
const ABNORMAL_CLOSURE = 1006;

function isFrame(data: unknown): data is RawFrame {
  // Realm-independent: a socket from another realm hands over byte arrays that fail `instanceof` here.
  return (
    typeof data === "string" ||
    ArrayBuffer.isView(data) ||
    Object.prototype.toString.call(data) === "[object ArrayBuffer]"
  );
}

function errorText(event: unknown): string | undefined {
  const error = (event as { error?: unknown; message?: unknown } | null)?.error ?? event;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && message.length > 0 ? message : undefined;
}

/** Whether applications may send this close code (RFC 6455 §7.4: 1000 or 3000–4999). */
function isSendableCloseCode(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999);
}

/**
 * One WebSocket, opened with meshwork's subprotocol. It parses every frame at the edge, never throws on input,
 * and after {@link dispose} reports nothing more, so a socket that is being replaced cannot disturb its owner.
 */
export class Transport {
  readonly #socket: WebSocketLike;
  readonly #handlers: TransportHandlers;
  readonly #closed: Promise<void>;
  #markClosed: () => void = () => {};
  #lastError: string | undefined;
  #detached = false;

  /** Opens the socket. @throws whatever the WebSocket constructor throws, e.g. for a malformed URL. */
  constructor(url: string, WebSocket: WebSocketConstructor, handlers: TransportHandlers) {
    this.#handlers = handlers;
    this.#closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    const socket = new WebSocket(url, subprotocolFor());
    this.#socket = socket;
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onerror = (event) => {
      this.#lastError = errorText(event) ?? this.#lastError;
    };
    socket.onclose = (event) => {
      this.#markClosed();
      if (this.#detached) return;
      this.#detached = true;
      this.#handlers.close(event.code || ABNORMAL_CLOSURE, event.reason || this.#lastError || "connection lost");
    };
  }

  /** The subprotocol the server selected; empty until the socket is open. */
  get protocol(): string {
    return this.#socket.protocol;
  }

  /** Whether frames can be sent now. */
  get isOpen(): boolean {
    return !this.#detached && this.#socket.readyState === WS_READY_STATE.OPEN;
  }

  /** Sends a text frame. @throws MeshError `CONNECTION_CLOSED` when the socket is not open. */
  send(frame: string): void {
    if (!this.isOpen) throw new MeshError("CONNECTION_CLOSED", "The socket is not open");
    this.#socket.send(frame);
  }

  /**
   * Stops reporting and closes the socket. Resolves once it has closed, or after a short grace period in
   * which case it is terminated where the implementation allows (a dead peer never answers the handshake).
   */
  dispose(code: number, reason: string): Promise<void> {
    this.#detached = true;
    // Handlers stay attached as no-ops: `ws` throws on an "error" event nobody listens to.
    this.#socket.onmessage = () => {};
    this.#socket.onerror = () => {};
    if (this.#socket.readyState === WS_READY_STATE.CLOSED) return Promise.resolve();
    try {
      this.#socket.close(isSendableCloseCode(code) ? code : 1000, reason);
    } catch {
      this.#socket.terminate?.();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#socket.terminate?.();
        resolve();
      }, CLOSE_GRACE_MS);
    });
    return Promise.race([this.#closed, grace]).finally(() => clearTimeout(timer));
  }

  #receive(data: unknown): void {
    if (this.#detached) return;
    if (!isFrame(data)) {
      this.#handlers.invalidFrame({
        ok: false,
        reason: "invalid-shape",
        message: "Frame is neither text nor binary data the client can read",
      });
      return;
    }
    const parsed = parseServerMessage(data);
    if (parsed.ok) this.#handlers.message(parsed.message);
    else this.#handlers.invalidFrame(parsed);
  }
}
