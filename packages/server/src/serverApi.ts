import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { z } from "zod";
import type { AccessGuard } from "./access/accessRules";
import type { ConnectionMetadataGuard } from "./access/connectionMetadataAccess";
import type { Connection, ConnectionRef } from "./connections/connection";
import type { ConnectionManager } from "./connections/connectionManager";
import type { MeshServerEventMap, ServerEventAlias } from "./events";
import type { RecordWriteOptions, VersionedValue } from "./records/recordWriter";
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
 * implements it and documents each one.
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
  /** Resolves when the server can take connections. */
  ready(): Promise<void>;
  /** Shuts down gracefully; every call returns the same promise. */
  close(): Promise<void>;
  /** Hands over an upgrade request, for servers created with `noServer: true`. */
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
  /** Pushes to every connection, or to the listed ones, on every instance. */
  broadcast(command: string, payload?: unknown, connections?: Iterable<ConnectionRef>): Promise<void>;
  /** Pushes to every connection except `exclude`. */
  broadcastExclude(command: string, payload: unknown, exclude: ConnectionRef | Iterable<ConnectionRef>): Promise<void>;
  /** Pushes to one connection on whatever instance serves it; `false` when none does. */
  sendTo(connectionId: string, command: string, payload?: unknown): Promise<boolean>;
  /** Pushes to every member of a room, on every instance. */
  broadcastRoom(room: string, command: string, payload?: unknown): Promise<void>;
  /** Pushes to every member of a room except `exclude`. */
  broadcastRoomExclude(
    room: string,
    command: string,
    payload: unknown,
    exclude: ConnectionRef | Iterable<ConnectionRef>,
  ): Promise<void>;
  /** Adds a connection (or id, on any instance) to a room; resolves once room broadcasts reach it. */
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
  /** Lets clients join a room name, or every name a RegExp matches, optionally behind a guard. */
  exposeRoom(room: string | RegExp, guard?: AccessGuard): void;
  /** Lets clients read other connections' metadata where `guard` allows; their own is always readable. */
  exposeConnectionMetadata(guard: ConnectionMetadataGuard): void;
  /** Lets clients subscribe to a channel name, or to every name a RegExp matches, optionally behind a guard. */
  exposeChannel(channel: string | RegExp, guard?: AccessGuard): void;
  /** Publishes a message to every subscriber of a channel, on every instance; `history > 0` stores it. */
  publishToChannel(channel: string, message: unknown, history?: number): Promise<void>;
  /** Lets clients subscribe to a record id, or to every id a RegExp matches, optionally behind a guard. */
  exposeRecord(recordId: string | RegExp, guard?: AccessGuard): void;
  /** Lets clients also write records; never bypasses a read guard. */
  exposeWritableRecord(recordId: string | RegExp, guard?: AccessGuard): void;
  /** Sets a record's value and tells every subscriber; resolves with the version. */
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
