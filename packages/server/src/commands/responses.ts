import { MeshError, encodeServerMessage } from "@meshwork/protocol";
import type { Connection } from "../connections/connection";

/** Answers request `id` with its result; a result JSON cannot encode becomes an `INTERNAL_ERROR` answer. */
export function sendResult(connection: Connection, id: number, result: unknown): void {
  let frame: string;
  try {
    frame = encodeServerMessage({ type: "response", id, result });
  } catch (cause) {
    sendError(
      connection,
      id,
      new MeshError("INTERNAL_ERROR", "The command's result could not be encoded as JSON", { cause }),
    );
    return;
  }
  connection.sendFrame(frame);
}

/**
 * Answers request `id` with an error (without an id: a frame that carried none): only `{ code, message, details? }`
 * travel, never a stack. Details JSON cannot encode are dropped rather than losing the whole answer.
 */
export function sendError(connection: Connection, id: number | undefined, error: MeshError): void {
  let frame: string;
  try {
    frame = encodeServerMessage({ type: "error", id, error: error.toWire() });
  } catch {
    frame = encodeServerMessage({ type: "error", id, error: { code: error.code, message: error.message } });
  }
  connection.sendFrame(frame);
}
