import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { z } from "zod";
import type { AccessGuard } from "./access/accessRules";
import type { ConnectionMetadataGuard } from "./access/connectionMetadataAccess";
import type { Connection, ConnectionRef } from "./connections/connection";
import type { ConnectionManager } from "./connections/connectionManager";
import type { MeshServerEventMap, ServerEventAlias } from "./events";
import type { HealthReport } from "./health/healthReport";
import type { RecordWriteOptions, VersionedValue } from "./records/recordWriter";
import type { RoomPresence, TrackPresenceOptions } from "./presence/presenceTypes";
import type { RoomManager } from "./rooms/roomManager";

// The types application code programs against: the server as its command handlers see it, the context they get,
// middleware and handlers. They refer to one another, so they live together, below everything that uses them.

/** A zod schema (classic or mini) for a command's payload. */
export type PayloadSchema = z.core.$ZodType;

/**
 * Fields middleware adds to the context, as in `ctx.user = { id }`. Any name is allowed and reads as
 * `unknown`; to type your own, augment this interface:
 *
 * ```ts
 * declare module "@meshwork/server" {
 *   interface MeshContextExtensions { user?: { id: string } }
 * }
 * ```
 */
export interface MeshContextExtensions {
  [field: string]: unknown;
}

/** The fields every context has. */
export interface MeshContextBase<TPayload> {
  /** The command name the client called. */
  readonly command: string;
  /** The request payload; with a schema, the parsed (validated, possibly transformed) value. */
  payload: TPayload;
  /** The connection the request came from. */
  readonly connection: Connection;
  /** The server handling the request. */
  readonly server: MeshServerApi;
}

/**
 * What middleware and command handlers receive: `{ command, payload, connection, server }` plus whatever
 * middleware added. `TPayload` is `any` for commands registered without a schema (the client may send anything;
 * check it yourself or register a schema) and the schema's output type for commands registered with one.
 */
export type MeshContext<TPayload = any> = MeshContextBase<TPayload> & MeshContextExtensions;

/**
 * Runs before a command handler. May read and extend the context (`ctx.user = …`); whatever it returns is
 * ignored, a returned promise is awaited, and a throw stops the chain and becomes the request's error.
 */
export type Middleware<TPayload = any> = (ctx: MeshContext<TPayload>) => unknown;

/** Handles a command: its return value (or what its promise resolves to) is the result sent to the client. */
export type CommandHandler<TPayload = any, TResult = unknown> = (
  ctx: MeshContext<TPayload>,
) => TResult | Promise<TResult>;

/** Options of a command registered without a schema. */
export interface CommandOptions<TPayload = any> {
  schema?: undefined;
  /** Run after the global middleware, in order, before the handler. */
  middlewares?: Middleware<TPayload>[];
}

/** Options of a command whose payload is validated (and typed) by a zod schema. */
export interface SchemaCommandOptions<S extends PayloadSchema> {
  /**
   * Validates the payload after the global middleware and before the command's own; an invalid payload is
   * answered with `INVALID_PAYLOAD`, the zod issues in `details`. Handlers see the parsed value.
   */
  schema: S;
  /** Run after validation, in order, before the handler; they see the parsed payload. */
  middlewares?: Middleware<z.output<S>>[];
}

/** A listener of one of the server's events. */
type ServerListener<E extends keyof MeshServerEventMap> = (...args: MeshServerEventMap[E]) => unknown;

/**
 * The server as command handlers and middleware see it (`ctx.server`): every public member of `MeshServer`, which
 * implements it. The documentation of most members lives here, and editors show it on `MeshServer` too.
 */
export interface MeshServerApi {
  /** This instance's id in shared state (a random UUID). */
  readonly instanceId: string;
  /** Connection metadata (shared state) and this instance's live connections. */
  readonly connectionManager: ConnectionManager;
  /** Room metadata (shared state). */
  readonly roomManager: RoomManager;
  /** The port the server listens on (owned or attached listener). */
  readonly port: number | undefined;
  /** The listener's address as `net.Server#address()` reports it, or `null` when not listening. */
  address(): AddressInfo | string | null;
  /**
   * Resolves when the server can take connections: an owned listener is listening and the state store is
   * ready. Rejects with the listen error (e.g. `EADDRINUSE`). An attached server's listening is its owner's
   * business and is not waited for.
   */
  ready(): Promise<void>;
  /**
   * Shuts down gracefully, in order: refuses new upgrades (HTTP 503) and new commands (answered with
   * `SHUTTING_DOWN` without running; the client sends them again once reconnected); waits up to
   * `shutdownTimeout` for the running commands to answer; closes every connection with 1001 (`GOING_AWAY`:
   * reconnect, possibly elsewhere) and unregisters them with their rooms and presence (each gets its
   * `disconnected`); stops the timers; removes the instance from shared state, so other instances see nothing
   * of it at once; closes the listener it owns (an attached server is left running) and the state store it
   * created. Peers that do not acknowledge the close within `closeTimeout` are cut off; the whole is bounded by
   * `shutdownTimeout + 3 × closeTimeout` plus closing the listener. Idempotent: every call returns the same promise.
   */
  close(): Promise<void>;
  /**
   * How this instance is doing, for load balancers and dashboards (`createHealthHandler(server)` serves it over
   * HTTP). Checks three things: the listener takes upgrades (`listening`), the shared state answers one PING
   * (`redis.reachable`, with `latencyMs`, or `error` saying why not; embedded memory state is always reachable),
   * and this instance's last heartbeat reached the state less than `instanceTtl` ago (`heartbeat.fresh`, `ageMs`).
   * `status` is `"ok"` when all three hold, `"starting"` before the first heartbeat, `"closing"` once `close()`
   * was called, and `"degraded"` otherwise, with one sentence per problem in `reasons`. Never rejects, and
   * resolves within about a second even when Redis does not answer.
   */
  health(): Promise<HealthReport>;
  /**
   * The server's Prometheus metrics as exposition text (`createMetricsHandler(server)` serves it over HTTP), with
   * the `metrics` option on; the application's own metrics too when it gave its registry. Rejects with an error
   * saying how to turn them on when metrics are off, and when prom-client is not installed.
   */
  metrics(): Promise<string>;
  /**
   * Hands over an upgrade request, for servers created with `noServer: true`; applies the same path,
   * protocol and authentication policy as an attached listener.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Registers a command whose payload a zod schema validates and types. */
  registerCommand<S extends PayloadSchema, TResult = unknown>(
    name: string,
    handler: CommandHandler<z.output<S>, TResult>,
    options: SchemaCommandOptions<S>,
  ): void;
  /** Registers a command, with its own middleware. */
  registerCommand<TPayload = any, TResult = unknown>(
    name: string,
    handler: CommandHandler<TPayload, TResult>,
    middlewares?: Middleware<TPayload>[] | CommandOptions<TPayload>,
  ): void;
  /** Alias of {@link registerCommand}. */
  readonly exposeCommand: MeshServerApi["registerCommand"];
  /** Adds middleware that runs before every command, in the order added. */
  addMiddleware(...middlewares: Middleware[]): void;
  /** Alias of {@link addMiddleware}. */
  readonly useMiddleware: MeshServerApi["addMiddleware"];
  /**
   * Pushes `command` with `payload` to every connection, or to the listed ones (connections or ids).
   * Clients receive it with `client.on(command, …)`. Reaches connections on every instance: one publish for
   * everyone, or one per instance serving a listed connection.
   * @throws TypeError (synchronously) for a `mesh/` or client lifecycle event name.
   */
  broadcast(command: string, payload?: unknown, connections?: Iterable<ConnectionRef>): Promise<void>;
  /**
   * Pushes to every connection except `exclude` (a connection, an id, or several).
   * @throws TypeError (synchronously) for a `mesh/` or client lifecycle event name.
   */
  broadcastExclude(command: string, payload: unknown, exclude: ConnectionRef | Iterable<ConnectionRef>): Promise<void>;
  /**
   * Pushes to one connection on whatever instance serves it. Resolves `true` when it was handed to the local
   * socket or published to the serving instance, `false` when no instance serves this id.
   * @throws TypeError (synchronously) for a `mesh/` or client lifecycle event name.
   */
  sendTo(connectionId: string, command: string, payload?: unknown): Promise<boolean>;
  /**
   * Pushes to every member of a room, on every instance: one publish, whatever the room's size.
   * @throws TypeError (synchronously) for a `mesh/` or client lifecycle event name.
   */
  broadcastRoom(room: string, command: string, payload?: unknown): Promise<void>;
  /** Pushes to every member of a room except `exclude`. */
  broadcastRoomExclude(
    room: string,
    command: string,
    payload: unknown,
    exclude: ConnectionRef | Iterable<ConnectionRef>,
  ): Promise<void>;
  /**
   * Adds a connection (or id, on any instance) to a room. Resolves once a room broadcast will reach it.
   * @throws MeshError `NOT_FOUND` (as a rejection) when no instance serves the connection.
   */
  addToRoom(room: string, connection: ConnectionRef): Promise<void>;
  /** Removes a connection from a room; resolves once room broadcasts no longer reach it. */
  removeFromRoom(room: string, connection: ConnectionRef): Promise<void>;
  /** Removes a connection from every room it is in. */
  removeFromAllRooms(connection: ConnectionRef): Promise<void>;
  /** Whether a connection is in a room (cluster-wide). */
  isInRoom(room: string, connection: ConnectionRef): Promise<boolean>;
  /** Ids of every member of a room, on every instance. */
  getRoomMembers(room: string): Promise<string[]>;
  /** Removes every member from a room, on every instance, and deletes the room's metadata. */
  clearRoom(room: string): Promise<void>;
  /**
   * Lets clients join a room, or every room a RegExp matches, optionally behind a guard `(connection, room)`; rules
   * as for {@link exposeChannel}. Clients cannot join or leave unexposed rooms, nor read their metadata.
   */
  exposeRoom(room: string | RegExp, guard?: AccessGuard): void;
  /**
   * Lets clients read other connections' metadata where `guard(connection, targetConnectionId)` returns `true`
   * (deny-on-throw as for guards); without it they get `FORBIDDEN`, and `null` in `joinRoom`'s `present`.
   */
  exposeConnectionMetadata(guard: ConnectionMetadataGuard): void;
  /**
   * Tracks the presence of a room, or of every room a RegExp matches (precedence as for {@link exposeChannel}):
   * its members are present while connected, and watchers (`client.subscribePresence`, behind `options.guard`)
   * receive each join, state change and leave exactly once, cluster-wide, in order. A member of a crashed instance
   * leaves within `options.ttl` plus one heartbeat interval. With `options.groupBy` a connection-metadata field
   * (e.g. `"userId"`) makes one user's connections one member. Another member's metadata reaches a watcher only
   * where {@link exposeConnectionMetadata} allows it. Tracking does not expose: clients join exposed rooms.
   * @throws TypeError for an empty name, a `ttl` not longer than `heartbeatInterval`, or an invalid option.
   */
  trackPresence(room: string | RegExp, options?: TrackPresenceOptions): void;
  /**
   * A room's presence from the shared state, as of now, on any instance: every member (`connectionId` is the
   * member id, `connectionIds` its connections) with its metadata, unfiltered, and the members' states.
   */
  getPresence(room: string): Promise<RoomPresence>;
  /**
   * Lets clients subscribe to a channel name, or to every name a RegExp matches, optionally behind a guard
   * `(connection, channel) => boolean | Promise<boolean>`; a guard that returns anything but `true`, or throws,
   * denies (a throw is also reported through `error`). When several rules match, an exact name wins over
   * patterns, and among patterns the one exposed last wins.
   */
  exposeChannel(channel: string | RegExp, guard?: AccessGuard): void;
  /**
   * Publishes a message (a string or any JSON value) to every subscriber of a channel, on every instance. With
   * `history > 0` the message is first stored and the channel's history trimmed to exactly that many messages;
   * stored messages carry a position that lets reconnecting clients recover what they missed.
   * @throws TypeError for an invalid channel name or history; rejects when the message cannot be encoded.
   */
  publishToChannel(channel: string, message: unknown, history?: number): Promise<void>;
  /**
   * Lets clients subscribe to a record id, or to every id a RegExp matches, optionally behind a guard
   * `(connection, recordId) => boolean | Promise<boolean>`. Precedence as for channels.
   */
  exposeRecord(recordId: string | RegExp, guard?: AccessGuard): void;
  /**
   * Lets clients also write records (`client.publishRecordUpdate`). A record exposed only as writable is readable
   * under the same rule; where a read rule matches too, writing needs both: writable never bypasses a read guard.
   */
  exposeWritableRecord(recordId: string | RegExp, guard?: AccessGuard): void;
  /**
   * Sets a record's value: value and version change together, atomically, and every subscriber on every instance
   * receives the change (the full value, or an RFC 6902 patch against the previous version). A value equal to the
   * current one is not a new version. Concurrent writers each get their own version. Resolves with the version.
   * @throws MeshError `VERSION_CONFLICT` (as a rejection) when `expectedVersion` is given and does not match.
   */
  publishRecordUpdate(recordId: string, value: unknown, options?: RecordWriteOptions): Promise<number>;
  /** A record's value, or `null` when it does not exist. */
  getRecord<T = unknown>(recordId: string): Promise<T | null>;
  /** A record's value and version, read together; a record that does not exist is `{ value: null, version: 0 }`. */
  getRecordWithVersion<T = unknown>(recordId: string): Promise<VersionedValue<T>>;
  /** Deletes a record; its subscribers are told. Resolves whether it existed. */
  deleteRecord(recordId: string): Promise<boolean>;
  /** Pub/sub channels this instance listens to: diagnostics. */
  subscribedChannels(): string[];
  /** Listens to an event; returns a function that removes the listener. */
  on<E extends keyof MeshServerEventMap>(event: E, listener: ServerListener<E>): () => void;
  /** Like {@link on}, for one call only. */
  once<E extends keyof MeshServerEventMap>(event: E, listener: ServerListener<E>): () => void;
  /** Removes a listener added with {@link on}. */
  off<E extends keyof MeshServerEventMap>(event: E, listener: ServerListener<E>): void;
  /** `on("connected", listener)` under the original Mesh's name; returns the function that removes the listener. */
  readonly onConnection: ServerEventAlias<"connected">;
  /** `on("disconnected", listener)` under the original Mesh's name; returns the function that removes the listener. */
  readonly onDisconnection: ServerEventAlias<"disconnected">;
}
