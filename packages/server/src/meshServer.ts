import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { type MeshState, createInstanceId } from "@meshwork/redis-state";
import type { z } from "zod";
import type { AccessGuard } from "./access/accessRules";
import { Channels } from "./channels/channels";
import { ClusterNode } from "./cluster/clusterNode";
import type { RecordSnapshot, RecordWriteOptions } from "./records/recordWriter";
import { Records } from "./records/records";
import {
  type CommandHandler,
  type CommandOptions,
  CommandRouter,
  type Middleware,
  type SchemaCommandOptions,
} from "./commandRouter";
import type { ConnectionRef } from "./connection";
import { ConnectionLifecycle } from "./connectionLifecycle";
import { ConnectionManager } from "./connectionManager";
import { ConnectionRegistry } from "./connectionRegistry";
import { Delivery } from "./delivery";
import { type MeshServerEventMap, TypedEvents } from "./events";
import { FrameHandler } from "./frameHandler";
import { Liveness } from "./liveness";
import { type MeshServerOptions, type ResolvedServerOptions, resolveServerOptions } from "./options";
import type { PayloadSchema } from "./payloadSchema";
import { withDeadline } from "./deadline";
import { RoomManager } from "./roomManager";
import { Rooms } from "./rooms";
import { openStateStore } from "./stateStore";
import { WsTransport } from "./wsTransport";

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

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
 */
export class MeshServer {
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

  private readonly options: ResolvedServerOptions;
  private readonly state: MeshState;
  private readonly ownsState: boolean;
  private readonly events: TypedEvents<MeshServerEventMap>;
  private readonly registry = new ConnectionRegistry();
  private readonly router: CommandRouter;
  private readonly delivery: Delivery;
  private readonly node: ClusterNode;
  private readonly rooms: Rooms;
  private readonly channels: Channels;
  private readonly records: Records;
  private readonly liveness: Liveness;
  private readonly lifecycle: ConnectionLifecycle;
  private readonly transport: WsTransport;
  private readonly readyPromise: Promise<void>;
  private closing: Promise<void> | null = null;

  /** @throws TypeError for contradictory or out-of-range options. */
  constructor(options: MeshServerOptions) {
    this.options = resolveServerOptions(options);
    const { logger, keyPrefix } = this.options;
    this.instanceId = createInstanceId();
    const reportError = (error: unknown): void => this.reportError(error);
    const store = openStateStore(options, keyPrefix, logger, reportError);
    this.state = store.state;
    this.ownsState = store.owned;
    this.events = new TypedEvents<MeshServerEventMap>((error, event) => {
      if (event === "error") logger.error("meshwork: an error listener threw", error);
      else this.reportError(error);
    });
    this.router = new CommandRouter(this, logger);
    this.node = new ClusterNode({
      state: this.state,
      instanceId: this.instanceId,
      registry: this.registry,
      timings: this.options,
      onInstanceDown: (instanceId, connections) => this.events.emit("instancedown", { instanceId, connections }),
      afterHeartbeat: () => this.lifecycle.retryUnregisters(),
      reportError,
    });
    const joined = this.state.ready().then(() => this.node.start());
    this.delivery = new Delivery(this.registry, this.state, this.node);
    this.rooms = new Rooms(this.state, this.registry, this.node, reportError);
    this.roomManager = new RoomManager(this.state);
    const features = { router: this.router, state: this.state, node: this.node, registry: this.registry, instanceId: this.instanceId, reportError };
    this.channels = new Channels(features);
    this.records = new Records(features);
    this.liveness = new Liveness(this.registry, this.options);
    const frames = new FrameHandler(this.router, this.liveness, this.options, logger);
    this.lifecycle = new ConnectionLifecycle({
      options: this.options,
      state: this.state,
      instanceId: this.instanceId,
      registry: this.registry,
      frames,
      events: this.events,
      reportError,
      joined,
      forgetLocal: async (connectionId) => {
        await Promise.all([
          this.node.forgetLocal(connectionId),
          this.channels.removeConnection(connectionId),
          this.records.removeConnection(connectionId),
        ]);
      },
    });
    this.connectionManager = new ConnectionManager(this.state, this.registry);
    this.transport = new WsTransport(this.options, {
      accept: (socket, request, metadata) => {
        this.lifecycle.accept(socket, request.socket.remoteAddress ?? "", metadata);
      },
      reportError,
    });
    this.liveness.start();
    this.readyPromise = Promise.all([this.transport.listen(), joined]).then(() => undefined);
    // Reported even when nobody awaits ready(), so a failed listen is never silent.
    this.readyPromise.catch((error: unknown) => this.reportError(error));
  }

  /** The port the server listens on (owned or attached listener), e.g. the one picked for `port: 0`. */
  get port(): number | undefined {
    return this.transport.port;
  }

  /** The listener's address as `net.Server#address()` reports it, or `null` when not listening. */
  address(): AddressInfo | string | null {
    return this.transport.address();
  }

  /**
   * Resolves when the server can take connections: an owned listener is listening and the state store is
   * ready. Rejects with the listen error (e.g. `EADDRINUSE`). An attached server's listening is its owner's
   * business and is not waited for.
   */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /**
   * Shuts down gracefully: refuses new upgrades (HTTP 503), closes every connection with 1001 (`GOING_AWAY`),
   * unregisters them from state (each gets its `disconnected`), stops the timers, closes the listener it owns
   * (an attached server is left running) and closes the state store it created. Peers that do not acknowledge
   * the close within `closeTimeout` are cut off. Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Hands over an upgrade request, for servers created with `noServer: true`; applies the same path,
   * protocol and authentication policy as an attached listener.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.transport.handleUpgrade(request, socket, head);
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
    this.router.register(name, handler, options);
  }

  /** Adds middleware that runs before every command (before the command's own), in the order added. */
  addMiddleware(...middlewares: Middleware[]): void {
    this.router.use(middlewares);
  }

  /**
   * Pushes `command` with `payload` to every connection, or to the listed ones (connections or ids).
   * Clients receive it with `client.on(command, …)`. Reaches connections on every instance: one publish for
   * everyone, or one per instance serving a listed connection.
   * @throws TypeError (synchronously) for a `mesh/` or client lifecycle event name.
   */
  broadcast(command: string, payload?: unknown, connections?: Iterable<ConnectionRef>): Promise<void> {
    return this.delivery.broadcast(command, payload, connections);
  }

  /**
   * Pushes to every connection except `exclude` (a connection, an id, or several).
   * @throws TypeError (synchronously) for a `mesh/` or client lifecycle event name.
   */
  broadcastExclude(command: string, payload: unknown, exclude: ConnectionRef | Iterable<ConnectionRef>): Promise<void> {
    return this.delivery.broadcastExclude(command, payload, exclude);
  }

  /**
   * Pushes to one connection on whatever instance serves it. Resolves `true` when it was handed to the local
   * socket or published to the serving instance, `false` when no instance serves this id.
   * @throws TypeError (synchronously) for a `mesh/` or client lifecycle event name.
   */
  sendTo(connectionId: string, command: string, payload?: unknown): Promise<boolean> {
    return this.delivery.sendTo(connectionId, command, payload);
  }

  /**
   * Pushes to every member of a room, on every instance: one publish, whatever the room's size.
   * @throws TypeError (synchronously) for a `mesh/` or client lifecycle event name.
   */
  broadcastRoom(room: string, command: string, payload?: unknown): Promise<void> {
    return this.delivery.broadcastRoom(room, command, payload);
  }

  /** Pushes to every member of a room except `exclude` (a connection, an id, or several). */
  broadcastRoomExclude(
    room: string,
    command: string,
    payload: unknown,
    exclude: ConnectionRef | Iterable<ConnectionRef>,
  ): Promise<void> {
    return this.delivery.broadcastRoom(room, command, payload, exclude);
  }

  /**
   * Adds a connection (or id, on any instance) to a room. Resolves once a room broadcast will reach it.
   * @throws MeshError `NOT_FOUND` (as a rejection) when no instance serves the connection.
   */
  addToRoom(room: string, connection: ConnectionRef): Promise<void> {
    return this.rooms.add(room, connection);
  }

  /** Removes a connection from a room; resolves once room broadcasts no longer reach it. */
  removeFromRoom(room: string, connection: ConnectionRef): Promise<void> {
    return this.rooms.remove(room, connection);
  }

  /** Removes a connection from every room it is in. */
  removeFromAllRooms(connection: ConnectionRef): Promise<void> {
    return this.rooms.removeFromAll(connection);
  }

  /** Whether a connection is in a room (cluster-wide). */
  isInRoom(room: string, connection: ConnectionRef): Promise<boolean> {
    return this.rooms.has(room, connection);
  }

  /** Ids of every member of a room, on every instance. */
  getRoomMembers(room: string): Promise<string[]> {
    return this.rooms.members(room);
  }

  /** Removes every member from a room, on every instance, and deletes the room's metadata. */
  clearRoom(room: string): Promise<void> {
    return this.rooms.clear(room);
  }

  /**
   * Lets clients subscribe to a channel name, or to every name a RegExp matches, optionally behind a guard
   * `(connection, channel) => boolean | Promise<boolean>`; a guard that returns anything but `true`, or throws,
   * denies (a throw is also reported through `error`). When several rules match, an exact name wins over
   * patterns, and among patterns the one exposed last wins.
   */
  exposeChannel(channel: string | RegExp, guard?: AccessGuard): void {
    this.channels.expose(channel, guard);
  }

  /**
   * Publishes a message (a string or any JSON value) to every subscriber of a channel, on every instance. With
   * `history > 0` the message is first stored and the channel's history trimmed to exactly that many messages;
   * stored messages carry a position that lets reconnecting clients recover what they missed.
   * @throws TypeError for an invalid channel name or history; rejects when the message cannot be encoded.
   */
  publishToChannel(channel: string, message: unknown, history = 0): Promise<void> {
    return this.channels.publish(channel, message, history);
  }

  /**
   * Lets clients subscribe to a record id, or to every id a RegExp matches, optionally behind a guard
   * `(connection, recordId) => boolean | Promise<boolean>`. Precedence as for channels.
   */
  exposeRecord(recordId: string | RegExp, guard?: AccessGuard): void {
    this.records.expose(recordId, guard);
  }

  /**
   * Lets clients also write records (`client.publishRecordUpdate`). A record exposed only as writable is readable
   * under the same rule; where a read rule matches too, writing needs both: writable never bypasses a read guard.
   */
  exposeWritableRecord(recordId: string | RegExp, guard?: AccessGuard): void {
    this.records.exposeWritable(recordId, guard);
  }

  /**
   * Sets a record's value: value and version change together, atomically, and every subscriber on every instance
   * receives the change (the full value, or an RFC 6902 patch against the previous version). A value equal to the
   * current one is not a new version. Concurrent writers each get their own version. Resolves with the version.
   * @throws MeshError `VERSION_CONFLICT` (as a rejection) when `expectedVersion` is given and does not match.
   */
  publishRecordUpdate(recordId: string, value: unknown, options?: RecordWriteOptions): Promise<number> {
    return this.records.update(recordId, value, options);
  }

  /** A record's value and version; a record that does not exist is `{ value: null, version: 0 }`. */
  getRecord<T = unknown>(recordId: string): Promise<RecordSnapshot<T>> {
    return this.records.get<T>(recordId);
  }

  /** Deletes a record; its subscribers receive an update with `deleted: true`. Resolves whether it existed. */
  deleteRecord(recordId: string): Promise<boolean> {
    return this.records.delete(recordId);
  }

  /** Pub/sub channels this instance listens to (its own, `all`, and rooms with a local member): diagnostics. */
  subscribedChannels(): string[] {
    return this.node.subscribedChannels();
  }

  /** Listens to `connected`, `disconnected`, `instancedown` or `error`; returns a function that removes the listener. */
  on<E extends keyof MeshServerEventMap>(event: E, listener: (...args: MeshServerEventMap[E]) => unknown): () => void {
    return this.events.on(event, listener);
  }

  /** Like {@link on}, for one call only. */
  once<E extends keyof MeshServerEventMap>(event: E, listener: (...args: MeshServerEventMap[E]) => unknown): () => void {
    return this.events.once(event, listener);
  }

  /** Removes a listener added with {@link on}. */
  off<E extends keyof MeshServerEventMap>(event: E, listener: (...args: MeshServerEventMap[E]) => unknown): void {
    this.events.off(event, listener);
  }

  private reportError(error: unknown): void {
    if (this.events.listenerCount("error") > 0) this.events.emit("error", toError(error));
    else this.options.logger.error("meshwork:", error);
  }

  private async shutdown(): Promise<void> {
    this.transport.stopAccepting();
    this.liveness.stop();
    await this.lifecycle.closeAll();
    // Leaving the cluster needs Redis; when it is unreachable, shutting down must not wait for its retries.
    // What is left behind is reaped by a survivor once this instance's heartbeat expires.
    const left = await withDeadline(this.node.stop(), this.options.closeTimeout).catch((error: unknown) => {
      this.reportError(error);
      return true;
    });
    if (!left) this.reportError(new Error("meshwork: could not leave the cluster in time; survivors will reap this instance"));
    await this.transport.close();
    if (this.ownsState) await this.state.close();
  }
}

Object.defineProperties(MeshServer.prototype, {
  exposeCommand: { value: MeshServer.prototype.registerCommand, writable: true, configurable: true },
  useMiddleware: { value: MeshServer.prototype.addMiddleware, writable: true, configurable: true },
});
