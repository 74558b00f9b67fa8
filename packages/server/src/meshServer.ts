import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { z } from "zod";
import type { AccessGuard } from "./access/accessRules";
import type { ConnectionMetadataGuard } from "./access/connectionMetadataAccess";
import type { ConnectionRef } from "./connections/connection";
import type { ConnectionManager } from "./connections/connectionManager";
import { type MeshServerEventMap, type ServerEventAlias, serverEventAlias } from "./events";
import type { HealthReport } from "./health/healthReport";
import type { MeshServerOptions } from "./options";
import type { RoomPresence, TrackPresenceOptions } from "./presence/presenceTypes";
import type { RecordWriteOptions, VersionedValue } from "./records/recordWriter";
import type { RoomManager } from "./rooms/roomManager";
import type {
  CommandHandler,
  CommandOptions,
  MeshServerApi,
  Middleware,
  PayloadSchema,
  SchemaCommandOptions,
} from "./serverApi";
import { type ServerParts, buildServerParts } from "./serverParts";
import { shutdownServer } from "./shutdown";
import { type GracefulShutdownOptions, wireShutdownSignals } from "./shutdown/signals";

/**
 * A meshwork server: commands with middleware, pushes and broadcasts, connection metadata, liveness and
 * latency, over WebSocket.
 *
 * ```ts
 * const server = new MeshServer({ port: 8080 });
 * server.registerCommand("echo", async (ctx) => `echo: ${ctx.payload}`);
 * await server.ready();
 * ```
 *
 * It starts listening (with `port`) at construction; `ready()` says when it listens and its state is ready.
 * Members documented here only briefly, or not at all, are documented on {@link MeshServerApi}, which editors show.
 */
export class MeshServer implements MeshServerApi {
  /** This instance's id in shared state (a random UUID). */
  readonly instanceId: string;
  /** Connection metadata (shared state) and this instance's live connections. */
  readonly connectionManager: ConnectionManager;
  /** Room metadata (shared state). */
  readonly roomManager: RoomManager;
  /** Alias of {@link registerCommand}, the name the final original Mesh used. */
  declare readonly exposeCommand: MeshServer["registerCommand"];
  /** Alias of {@link addMiddleware}, the name the final original Mesh used. */
  declare readonly useMiddleware: MeshServer["addMiddleware"];
  /** `on("connected", listener)` under the original Mesh's name; returns the function that removes the listener. */
  declare readonly onConnection: ServerEventAlias<"connected">;
  /** `on("disconnected", listener)` under the original Mesh's name; returns the function that removes the listener. */
  declare readonly onDisconnection: ServerEventAlias<"disconnected">;

  private readonly parts: ServerParts;
  private closing: Promise<void> | null = null;

  /** @throws TypeError for contradictory or out-of-range options. */
  constructor(options: MeshServerOptions) {
    this.parts = buildServerParts(this, options);
    this.instanceId = this.parts.instanceId;
    this.connectionManager = this.parts.connectionManager;
    this.roomManager = this.parts.roomManager;
  }

  /** The port the server listens on (owned or attached listener), e.g. the one picked for `port: 0`. */
  get port(): number | undefined {
    return this.parts.transport.port;
  }

  /** The listener's address as `net.Server#address()` reports it, or `null` when not listening. */
  address(): AddressInfo | string | null {
    return this.parts.transport.address();
  }

  ready(): Promise<void> {
    return this.parts.ready;
  }

  close(): Promise<void> {
    this.closing ??= shutdownServer(this.parts);
    return this.closing;
  }

  health(): Promise<HealthReport> {
    return this.parts.health();
  }

  metrics(): Promise<string> {
    return this.parts.metrics.text();
  }

  /**
   * Makes SIGTERM and SIGINT (or `signals`) run {@link close} once and then end the process: exit code 0, or 1
   * when `close()` fails or takes longer than `timeout`. Returns a function that unwires the signals.
   */
  enableGracefulShutdown(options?: GracefulShutdownOptions): () => void {
    const { shutdownTimeout, closeTimeout, reportError } = this.parts;
    const closeBound = shutdownTimeout + 3 * closeTimeout + 1_000;
    return wireShutdownSignals({ close: () => this.close(), reportError, closeBound }, options);
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.parts.transport.handleUpgrade(request, socket, head);
  }

  /**
   * Registers a command whose payload a zod schema validates and types: `ctx.payload` is the schema's output.
   * An invalid payload is answered with `INVALID_PAYLOAD` (zod issues in `details`) before the command's own
   * middleware runs.
   * @throws TypeError for a reserved (`mesh/…`) or duplicate name.
   */
  registerCommand<S extends PayloadSchema, TResult = unknown>(
    name: string,
    handler: CommandHandler<z.output<S>, TResult>,
    options: SchemaCommandOptions<S>,
  ): void;
  /**
   * Registers a command: `handler` gets a `MeshContext` and returns the result (or a promise of it). A thrown
   * error is sent back as `{ code, message }` (code from `error.code`, default `COMMAND_FAILED`).
   * @param middlewares run after the global middleware, in order, before the handler
   * @throws TypeError for a reserved (`mesh/…`) or duplicate name.
   */
  registerCommand<TPayload = any, TResult = unknown>(
    name: string,
    handler: CommandHandler<TPayload, TResult>,
    middlewares?: Middleware<TPayload>[] | CommandOptions<TPayload>,
  ): void;
  registerCommand(
    name: string,
    handler: CommandHandler,
    options?: Middleware[] | CommandOptions | SchemaCommandOptions<PayloadSchema>,
  ): void {
    this.parts.router.register(name, handler, options);
  }

  /** Adds middleware that runs before every command (before the command's own), in the order added. */
  addMiddleware(...middlewares: Middleware[]): void {
    this.parts.router.use(middlewares);
  }

  broadcast(command: string, payload?: unknown, connections?: Iterable<ConnectionRef>): Promise<void> {
    return this.parts.delivery.broadcast(command, payload, connections);
  }

  broadcastExclude(command: string, payload: unknown, exclude: ConnectionRef | Iterable<ConnectionRef>): Promise<void> {
    return this.parts.delivery.broadcastExclude(command, payload, exclude);
  }

  sendTo(connectionId: string, command: string, payload?: unknown): Promise<boolean> {
    return this.parts.delivery.sendTo(connectionId, command, payload);
  }

  broadcastRoom(room: string, command: string, payload?: unknown): Promise<void> {
    return this.parts.delivery.broadcastRoom(room, command, payload);
  }

  /** Pushes to every member of a room except `exclude` (a connection, an id, or several). */
  broadcastRoomExclude(
    room: string,
    command: string,
    payload: unknown,
    exclude: ConnectionRef | Iterable<ConnectionRef>,
  ): Promise<void> {
    return this.parts.delivery.broadcastRoom(room, command, payload, exclude);
  }

  addToRoom(room: string, connection: ConnectionRef): Promise<void> {
    return this.parts.rooms.add(room, connection);
  }

  /** Removes a connection from a room; resolves once room broadcasts no longer reach it. */
  removeFromRoom(room: string, connection: ConnectionRef): Promise<void> {
    return this.parts.rooms.remove(room, connection);
  }

  /** Removes a connection from every room it is in. */
  removeFromAllRooms(connection: ConnectionRef): Promise<void> {
    return this.parts.rooms.removeFromAll(connection);
  }

  /** Whether a connection is in a room (cluster-wide). */
  isInRoom(room: string, connection: ConnectionRef): Promise<boolean> {
    return this.parts.rooms.has(room, connection);
  }

  /** Ids of every member of a room, on every instance. */
  getRoomMembers(room: string): Promise<string[]> {
    return this.parts.rooms.members(room);
  }

  /** Removes every member from a room, on every instance, and deletes the room's metadata. */
  clearRoom(room: string): Promise<void> {
    return this.parts.rooms.clear(room);
  }

  exposeRoom(room: string | RegExp, guard?: AccessGuard): void {
    this.parts.clientRooms.expose(room, guard);
  }

  exposeConnectionMetadata(guard: ConnectionMetadataGuard): void {
    this.parts.clientRooms.exposeConnectionMetadata(guard);
  }

  trackPresence(room: string | RegExp, options?: TrackPresenceOptions): void {
    this.parts.presence.track(room, options);
  }

  getPresence(room: string): Promise<RoomPresence> {
    return this.parts.presence.get(room);
  }

  exposeChannel(channel: string | RegExp, guard?: AccessGuard): void {
    this.parts.channels.expose(channel, guard);
  }

  publishToChannel(channel: string, message: unknown, history = 0): Promise<void> {
    return this.parts.channels.publish(channel, message, history);
  }

  exposeRecord(recordId: string | RegExp, guard?: AccessGuard): void {
    this.parts.records.expose(recordId, guard);
  }

  exposeWritableRecord(recordId: string | RegExp, guard?: AccessGuard): void {
    this.parts.records.exposeWritable(recordId, guard);
  }

  publishRecordUpdate(recordId: string, value: unknown, options?: RecordWriteOptions): Promise<number> {
    return this.parts.records.update(recordId, value, options);
  }

  /** A record's value, or `null` when it does not exist (never written, or deleted), as in the original Mesh. */
  getRecord<T = unknown>(recordId: string): Promise<T | null> {
    return this.parts.records.get<T>(recordId);
  }

  /** A record's value and version, read together; a record that does not exist is `{ value: null, version: 0 }`. */
  getRecordWithVersion<T = unknown>(recordId: string): Promise<VersionedValue<T>> {
    return this.parts.records.getWithVersion<T>(recordId);
  }

  /** Deletes a record; its subscribers receive an update with `deleted: true`. Resolves whether it existed. */
  deleteRecord(recordId: string): Promise<boolean> {
    return this.parts.records.delete(recordId);
  }

  /** Pub/sub channels this instance listens to (its own, `all`, and rooms with a local member): diagnostics. */
  subscribedChannels(): string[] {
    return this.parts.bus.subscribedChannels();
  }

  /** Listens to `connected`, `disconnected`, `instancedown` or `error`; returns a function that removes the listener. */
  on<E extends keyof MeshServerEventMap>(event: E, listener: (...args: MeshServerEventMap[E]) => unknown): () => void {
    return this.parts.events.on(event, listener);
  }

  /** Like {@link on}, for one call only. */
  once<E extends keyof MeshServerEventMap>(
    event: E,
    listener: (...args: MeshServerEventMap[E]) => unknown,
  ): () => void {
    return this.parts.events.once(event, listener);
  }

  /** Removes a listener added with {@link on}. */
  off<E extends keyof MeshServerEventMap>(event: E, listener: (...args: MeshServerEventMap[E]) => unknown): void {
    this.parts.events.off(event, listener);
  }
}

Object.defineProperties(MeshServer.prototype, {
  exposeCommand: { value: MeshServer.prototype.registerCommand, writable: true, configurable: true },
  useMiddleware: { value: MeshServer.prototype.addMiddleware, writable: true, configurable: true },
  onConnection: { value: serverEventAlias("connected"), writable: true, configurable: true },
  onDisconnection: { value: serverEventAlias("disconnected"), writable: true, configurable: true },
});
