import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { z } from "zod";
import type { AccessGuard } from "./access/accessRules";
import type { Connection, ConnectionRef } from "./connections/connection";
import type { ConnectionManager } from "./connections/connectionManager";
import type { MeshServerEventMap } from "./events";
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
export type CommandHandler<TPayload = any, TResult = unknown> = (ctx: MeshContext<TPayload>) => TResult | Promise<TResult>;

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
  readonly instanceId: string;
  readonly connectionManager: ConnectionManager;
  readonly roomManager: RoomManager;
  readonly port: number | undefined;
  address(): AddressInfo | string | null;
  ready(): Promise<void>;
  close(): Promise<void>;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  registerCommand<S extends PayloadSchema, TResult = unknown>(
    name: string,
    handler: CommandHandler<z.output<S>, TResult>,
    options: SchemaCommandOptions<S>,
  ): void;
  registerCommand<TPayload = any, TResult = unknown>(
    name: string,
    handler: CommandHandler<TPayload, TResult>,
    middlewares?: Middleware<TPayload>[] | CommandOptions<TPayload>,
  ): void;
  readonly exposeCommand: MeshServerApi["registerCommand"];
  addMiddleware(...middlewares: Middleware[]): void;
  readonly useMiddleware: MeshServerApi["addMiddleware"];
  broadcast(command: string, payload?: unknown, connections?: Iterable<ConnectionRef>): Promise<void>;
  broadcastExclude(command: string, payload: unknown, exclude: ConnectionRef | Iterable<ConnectionRef>): Promise<void>;
  sendTo(connectionId: string, command: string, payload?: unknown): Promise<boolean>;
  broadcastRoom(room: string, command: string, payload?: unknown): Promise<void>;
  broadcastRoomExclude(
    room: string,
    command: string,
    payload: unknown,
    exclude: ConnectionRef | Iterable<ConnectionRef>,
  ): Promise<void>;
  addToRoom(room: string, connection: ConnectionRef): Promise<void>;
  removeFromRoom(room: string, connection: ConnectionRef): Promise<void>;
  removeFromAllRooms(connection: ConnectionRef): Promise<void>;
  isInRoom(room: string, connection: ConnectionRef): Promise<boolean>;
  getRoomMembers(room: string): Promise<string[]>;
  clearRoom(room: string): Promise<void>;
  exposeChannel(channel: string | RegExp, guard?: AccessGuard): void;
  publishToChannel(channel: string, message: unknown, history?: number): Promise<void>;
  exposeRecord(recordId: string | RegExp, guard?: AccessGuard): void;
  exposeWritableRecord(recordId: string | RegExp, guard?: AccessGuard): void;
  publishRecordUpdate(recordId: string, value: unknown, options?: RecordWriteOptions): Promise<number>;
  getRecord<T = unknown>(recordId: string): Promise<VersionedValue<T>>;
  deleteRecord(recordId: string): Promise<boolean>;
  subscribedChannels(): string[];
  on<E extends keyof MeshServerEventMap>(event: E, listener: ServerListener<E>): () => void;
  once<E extends keyof MeshServerEventMap>(event: E, listener: ServerListener<E>): () => void;
  off<E extends keyof MeshServerEventMap>(event: E, listener: ServerListener<E>): void;
}
