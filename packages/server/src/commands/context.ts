import type { Connection } from "../connections/connection";
import type { MeshContext, MeshServerApi } from "../serverApi";

/** Builds the context of one request. Always the same property order, so every context shares one shape. */
export function createContext<TPayload>(
  command: string,
  payload: TPayload,
  connection: Connection,
  server: MeshServerApi,
): MeshContext<TPayload> {
  return { command, payload, connection, server };
}
