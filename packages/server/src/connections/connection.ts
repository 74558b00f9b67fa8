import { CLOSE_CODES, encodeServerMessage } from "@meshwork/protocol";
import type { RawData, WebSocket } from "ws";
import type { MetricsRecorder } from "../metrics/metricsRecorder";
import { assertPushName } from "../names";
import { PreparedFrame, sendPreparedFrame } from "../transport/preparedFrame";
import { holdSocketWritesUntilTickEnds } from "../transport/writeCoalescing";

/** Why a connection ended: the close code and reason, the server's own when it closed the socket. */
export interface DisconnectInfo {
  readonly code: number;
  readonly reason: string;
}

/**
 * Where a connection is in its life. Numbers rather than strings so the per-frame checks compare small integers.
 * @internal
 */
export const PHASE = {
  /** Socket open, registration in shared state and `hello` still pending: frames are held back. */
  REGISTERING: 0,
  /** Registered and greeted: frames are processed, pushes delivered. */
  OPEN: 1,
  /** The server asked the socket to close; nothing more is sent or processed. */
  CLOSING: 2,
  /** The socket is gone. */
  CLOSED: 3,
} as const;

/** @internal */
export type Phase = (typeof PHASE)[keyof typeof PHASE];

/**
 * What a connection needs from the server that owns it. One object per server, shared by all its
 * connections, so a connection carries one pointer instead of a set of closures.
 * @internal
 */
export interface ConnectionHost {
  readonly maxBufferedBytes: number;
  readonly closeTimeout: number;
  /** Counts frames written, dropped, and slow-consumer closes. */
  readonly metrics: MetricsRecorder;
  onFrame(connection: Connection, data: RawData, isBinary: boolean): void;
  onSocketClose(connection: Connection, code: number, reason: Buffer): void;
  onSocketError(connection: Connection, error: Error): void;
}

const kConnection = Symbol("meshwork.connection");

type TaggedSocket = WebSocket & { [kConnection]?: Connection };

// Shared listeners: `this` is the socket, which points back at its connection. No closure per connection.
function onMessage(this: TaggedSocket, data: RawData, isBinary: boolean): void {
  const connection = this[kConnection];
  if (!connection) return;
  // `ws` emits every frame of one TCP read synchronously: the answers to a burst of requests leave together.
  holdSocketWritesUntilTickEnds(this);
  connection.host.onFrame(connection, data, isBinary);
}

function onClose(this: TaggedSocket, code: number, reason: Buffer): void {
  const connection = this[kConnection];
  if (connection) connection.host.onSocketClose(connection, code, reason);
}

function onError(this: TaggedSocket, error: Error): void {
  const connection = this[kConnection];
  if (connection) connection.host.onSocketError(connection, error);
}

const TEXT_FRAME = { binary: false } as const;
const OPEN_SOCKET = 1;

/**
 * One client connection on this server instance. The `id` is unguessable (a random UUID), assigned by the
 * server and sent to the client in `hello`; it equals the client's `connectionId`.
 *
 * Kept deliberately small: servers hold many idle connections, and every field costs memory on each.
 */
export class Connection {
  /** Server-assigned id; the client's `connectionId`. */
  readonly id: string;
  /** The peer's IP address as the socket sees it (a proxy's, behind one). Empty when unknown. */
  readonly remoteAddress: string;
  /** Last round trip measured by a latency probe, in milliseconds; `0` until the first measurement. */
  latency = 0;

  /** @internal */
  readonly socket: WebSocket;
  /** @internal */
  readonly host: ConnectionHost;
  /** @internal */
  phase: Phase = PHASE.REGISTERING;
  /** @internal Whether `connected` was emitted, so `disconnected` is emitted for exactly those connections. */
  opened = false;
  /** @internal Pings sent since the last pong. */
  unansweredPings = 0;
  /** @internal Id of the last latency probe answered, so a repeated reply is not measured twice. */
  answeredProbe = -1;
  /** @internal Bad frames counted in the current window. */
  badMessages = 0;
  /** @internal When the current bad-message window began (ms since epoch). */
  badWindowStart = 0;
  /** @internal Answers sent in the current bad-message window to bad frames without a request id. */
  badReplies = 0;
  /** @internal Rate limit: tokens left in the connection's bucket (it starts full). */
  bucketTokens = Number.POSITIVE_INFINITY;
  /** @internal Rate limit: when the bucket was last checked (`performance.now()`). */
  bucketCheckedAt = 0;
  /** @internal Rate-limited requests counted in the current window. */
  rateLimited = 0;
  /** @internal When the current rate-limited window began (`performance.now()`). */
  rateLimitedSince = 0;
  /** @internal Close code and reason when the server closed the socket; reported in `disconnected`. */
  closeInfo: DisconnectInfo | null = null;
  /** @internal Frames that arrived before registration finished; processed right after `hello`. */
  pendingFrames: RawData[] | null = null;

  /** @internal Created by the server for each accepted socket. */
  constructor(id: string, socket: WebSocket, remoteAddress: string, host: ConnectionHost) {
    this.id = id;
    this.socket = socket;
    this.remoteAddress = remoteAddress;
    this.host = host;
    (socket as TaggedSocket)[kConnection] = this;
    socket.on("message", onMessage);
    socket.on("close", onClose);
    socket.on("error", onError);
  }

  /** Whether the connection is registered and its socket open, so sends can reach the client. */
  get isOpen(): boolean {
    return this.phase === PHASE.OPEN && this.socket.readyState === OPEN_SOCKET;
  }

  /**
   * The negation of {@link isOpen}, under the original Mesh's name: `true` once the connection is closing or
   * closed (and before registration finished, which application code does not see), when sends are dropped.
   */
  get isDead(): boolean {
    return !this.isOpen;
  }

  /**
   * Pushes a message to this client (received with `client.on(command, …)`). Returns whether it was handed to
   * the socket; `false` once the connection is closing.
   * @throws TypeError for a reserved (`mesh/…`) or client lifecycle event name, or a payload JSON cannot encode.
   */
  send(command: string, payload?: unknown): boolean {
    assertPushName(command);
    return this.sendFrame(encodeServerMessage({ type: "push", command, payload }));
  }

  /**
   * Closes the connection. The client receives `code` and `reason`; a client that does not acknowledge within
   * `closeTimeout` is cut off. Closing twice does nothing.
   * @param code a WebSocket close code: 1000, or 3000–4999 for application codes. @default 1000
   * @throws from `ws` for a code a WebSocket may not send or a reason longer than 123 bytes.
   */
  close(code: number = CLOSE_CODES.NORMAL.code, reason = ""): void {
    if (this.phase >= PHASE.CLOSING) return;
    this.socket.close(code, reason);
    this.phase = PHASE.CLOSING;
    this.closeInfo = { code, reason };
    const socket = this.socket;
    setTimeout(() => socket.terminate(), this.host.closeTimeout).unref();
  }

  /**
   * Sends an encoded frame. A `Buffer` is sent as a text frame, so one encoding can be shared by many sockets.
   * Closes the connection with 4004 when the client reads too slowly for its queue to stay under the limit.
   * @internal
   */
  sendFrame(frame: string | Buffer | PreparedFrame): boolean {
    if (!this.isOpen) {
      this.host.metrics.frameDropped();
      return false;
    }
    // Pushes made in one tick (a burst of bus messages from one Redis read, say) leave in one write.
    holdSocketWritesUntilTickEnds(this.socket);
    if (typeof frame === "string") this.socket.send(frame);
    else if (frame instanceof PreparedFrame) sendPreparedFrame(this.socket, frame);
    else this.socket.send(frame, TEXT_FRAME);
    this.host.metrics.frameSent();
    if (this.socket.bufferedAmount > this.host.maxBufferedBytes) {
      this.host.metrics.slowConsumer();
      const { code, reason } = CLOSE_CODES.SLOW_CONSUMER;
      this.close(code, reason);
    }
    return true;
  }
}

/** A connection, or a connection id: what every API that targets a connection accepts. */
export type ConnectionRef = Connection | string;

/** The id a connection reference names. */
export function connectionIdOf(ref: ConnectionRef): string {
  return typeof ref === "string" ? ref : ref.id;
}
