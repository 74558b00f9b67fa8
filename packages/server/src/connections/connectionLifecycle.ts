import { randomUUID } from "node:crypto";
import { CLOSE_CODES, PROTOCOL_VERSION, encodeServerMessage } from "@meshwork/protocol";
import type { ConnectionMetadata } from "@meshwork/redis-state";
import type { RawData, WebSocket } from "ws";
import { withDeadline } from "../deadline";
import type { MeshServerEventMap, TypedEvents } from "../events";
import type { MetricsRecorder } from "../metrics/metricsRecorder";
import type { ResolvedServerOptions } from "../options";
import type { ServerFeature } from "../serverFeature";
import { Connection, type ConnectionHost, type DisconnectInfo, PHASE } from "./connection";
import { BINARY_FRAME, type FrameHandler } from "./frameHandler";
import type { LocalConnections } from "./localConnections";
import type { StateRegistrations } from "./stateRegistrations";

/** What the lifecycle works with; all owned by the server. */
export interface LifecycleDeps {
  readonly options: ResolvedServerOptions;
  readonly registrations: StateRegistrations;
  readonly local: LocalConnections;
  readonly frames: FrameHandler;
  readonly events: TypedEvents<MeshServerEventMap>;
  readonly reportError: (error: unknown) => void;
  /** Settles once the instance has joined the cluster; registrations wait for it. */
  readonly joined: Promise<void>;
  /** Told when a connection closed, so each drops what it keeps locally for it. */
  readonly features: readonly ServerFeature[];
  readonly metrics: MetricsRecorder;
}

// Frames held back while a connection registers. The socket is paused at accept, so only what arrived with
// the upgrade can pile up; more than this is a flood, not a client sending its first requests.
const MAX_PENDING_FRAMES = 1024;

/**
 * Takes sockets from the transport and carries each connection through its life:
 *
 * 1. accept: the socket is paused and frames that still arrive are held back;
 * 2. register in shared state (with the initial metadata from `authenticateConnection`), then send `hello`,
 *    emit `connected`, process the held-back frames and resume reading, so no request ever runs before its
 *    connection is registered;
 * 3. on socket close, exactly once: drop it from the local connections at once, unregister it from state (after a
 *    registration still in flight), run every feature's `onConnectionClosed`, then emit `disconnected`.
 */
export class ConnectionLifecycle implements ConnectionHost {
  readonly maxBufferedBytes: number;
  readonly closeTimeout: number;
  readonly metrics: MetricsRecorder;
  /** Registrations in shared state still under way, so a close cleanup waits for its connection's. */
  private readonly registering = new Map<Connection, Promise<void>>();
  private readonly cleanups = new Set<Promise<void>>();
  private accepting = true;

  constructor(private readonly deps: LifecycleDeps) {
    this.maxBufferedBytes = deps.options.maxBufferedBytes;
    this.closeTimeout = deps.options.closeTimeout;
    this.metrics = deps.metrics;
  }

  /** Adopts an upgraded socket whose client speaks our protocol version. */
  accept(socket: WebSocket, remoteAddress: string, metadata: ConnectionMetadata | null): Connection {
    const connection = new Connection(randomUUID(), socket, remoteAddress, this);
    this.deps.local.add(connection);
    if (!this.accepting) {
      const { code, reason } = CLOSE_CODES.GOING_AWAY;
      connection.close(code, reason);
      return connection;
    }
    socket.pause();
    const registration = this.register(connection, metadata).catch(this.deps.reportError);
    this.registering.set(connection, registration);
    void registration.then(() => this.registering.delete(connection));
    return connection;
  }

  /** @internal Called by the connection's socket listener. */
  onFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    if (connection.phase === PHASE.OPEN) {
      this.deps.frames.handle(connection, data, isBinary);
    } else if (connection.phase === PHASE.REGISTERING) {
      connection.pendingFrames ??= [];
      const pending = connection.pendingFrames;
      // A binary frame is refused whatever it holds: only the fact that it was binary is kept.
      pending.push(isBinary ? BINARY_FRAME : data);
      if (pending.length > MAX_PENDING_FRAMES) {
        connection.pendingFrames = null;
        connection.close(CLOSE_CODES.TOO_MANY_BAD_MESSAGES.code, "too many messages before hello");
      }
    }
  }

  /** @internal Called by the connection's socket listener; runs the cleanup once. */
  onSocketClose(connection: Connection, code: number, reason: Buffer): void {
    if (connection.phase === PHASE.CLOSED) return;
    connection.phase = PHASE.CLOSED;
    connection.pendingFrames = null;
    this.deps.local.delete(connection);
    const info = connection.closeInfo ?? { code, reason: reason.toString() };
    const cleanup = this.cleanUp(connection, info);
    this.cleanups.add(cleanup);
    void cleanup.then(() => this.cleanups.delete(cleanup));
  }

  /** @internal Socket errors are the peer's doing (bad frames, resets); `ws` closes the socket after one. */
  onSocketError(connection: Connection, error: Error): void {
    this.deps.options.logger.debug(`meshwork: socket error on connection ${connection.id}: ${error.message}`);
  }

  /**
   * Stops accepting, closes every local connection with 1001 (`GOING_AWAY`) and resolves once all of them are
   * gone and unregistered. Peers that do not acknowledge are cut off after `closeTimeout`; unregistering gets
   * `closeTimeout` more, so an unreachable state store cannot stall shutdown (the instance's leftovers are then
   * reaped by a survivor when its heartbeat expires).
   */
  async closeAll(): Promise<void> {
    this.accepting = false;
    const { code, reason } = CLOSE_CODES.GOING_AWAY;
    for (const connection of this.deps.local.values()) connection.close(code, reason);
    await this.deps.local.whenEmpty();
    await withDeadline(Promise.all(this.cleanups), this.closeTimeout);
  }

  private async register(connection: Connection, metadata: ConnectionMetadata | null): Promise<void> {
    const { options } = this.deps;
    try {
      await this.deps.joined;
      await this.deps.registrations.register(connection.id, metadata);
    } catch (cause) {
      this.deps.reportError(new Error(`meshwork: could not register connection ${connection.id}`, { cause }));
      const { code, reason } = CLOSE_CODES.INTERNAL_ERROR;
      connection.close(code, reason);
      connection.socket.resume();
      return;
    }
    // Closed while registering: the close cleanup unregisters it once this registration has settled.
    if (connection.phase === PHASE.REGISTERING) {
      connection.phase = PHASE.OPEN;
      connection.opened = true;
      connection.sendFrame(
        encodeServerMessage({
          type: "hello",
          connectionId: connection.id,
          protocol: PROTOCOL_VERSION,
          pingInterval: options.pingInterval,
          latencyInterval: options.latencyInterval,
          maxPayload: options.maxPayload,
        }),
      );
      this.deps.events.emit("connected", connection);
      this.drainPending(connection);
    }
    // Also after a close: reading must go on for the peer's close acknowledgement to arrive.
    connection.socket.resume();
  }

  private drainPending(connection: Connection): void {
    const pending = connection.pendingFrames;
    connection.pendingFrames = null;
    if (!pending) return;
    for (const data of pending) {
      if (connection.phase !== PHASE.OPEN) return;
      this.deps.frames.handle(connection, data, data === BINARY_FRAME);
    }
  }

  private async cleanUp(connection: Connection, info: DisconnectInfo): Promise<void> {
    const registration = this.registering.get(connection);
    if (registration) await registration;
    await this.deps.registrations.unregister(connection.id);
    try {
      await Promise.all(this.deps.features.map((feature) => feature.onConnectionClosed?.(connection.id)));
    } catch (cause) {
      this.deps.reportError(cause);
    }
    if (connection.opened) this.deps.events.emit("disconnected", connection, info);
  }
}
