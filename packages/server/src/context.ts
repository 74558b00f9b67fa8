import type { Connection } from "./connection";
import type { MeshServer } from "./meshServer";

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
  readonly server: MeshServer;
}

/**
 * What middleware and command handlers receive: `{ command, payload, connection, server }` plus whatever
 * middleware added. `TPayload` is `any` for commands registered without a schema (the client may send anything;
 * check it yourself or register a schema) and the schema's output type for commands registered with one.
 */
export type MeshContext<TPayload = any> = MeshContextBase<TPayload> & MeshContextExtensions;

/** Builds the context of one request. Always the same property order, so every context shares one shape. */
export function createContext<TPayload>(
  command: string,
  payload: TPayload,
  connection: Connection,
  server: MeshServer,
): MeshContext<TPayload> {
  return { command, payload, connection, server };
}
