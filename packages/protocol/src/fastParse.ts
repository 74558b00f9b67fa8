import type { ClientMessage } from "./clientMessages";
import { MAX_NAME_LENGTH } from "./limits";
import { type ParseResult, type RawFrame, frameToText, parseClientMessage } from "./parse";

function isRequestId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

// Accepts exactly what clientMessageSchema accepts for well-formed messages and builds the same output (unknown
// keys stripped); returns undefined for anything it is not sure about, which then goes to the schema.
function wellFormed(value: unknown): ClientMessage | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const fields = value as { type?: unknown; id?: unknown; command?: unknown; payload?: unknown };
  switch (fields.type) {
    case "request": {
      const { id, command, payload } = fields;
      if (!isRequestId(id) || typeof command !== "string" || command.length === 0 || command.length > MAX_NAME_LENGTH) {
        return undefined;
      }
      return payload === undefined ? { type: "request", id, command } : { type: "request", id, command, payload };
    }
    case "pong":
      return { type: "pong" };
    case "latency-reply":
      return isRequestId(fields.id) ? { type: "latency-reply", id: fields.id } : undefined;
    default:
      return undefined;
  }
}

/**
 * Same contract and same results as {@link parseClientMessage}, for the server's receive path: well-formed
 * messages are checked by hand, which costs a fraction of a schema run; anything else (not JSON, wrong shape)
 * goes through `parseClientMessage`, so failures carry exactly the schema's reason, id and issues.
 * Never throws.
 */
export function parseClientMessageFast(raw: RawFrame): ParseResult<ClientMessage> {
  const text = frameToText(raw);
  if (text === undefined) return parseClientMessage(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return parseClientMessage(raw);
  }
  const message = wellFormed(value);
  return message === undefined ? parseClientMessage(raw) : { ok: true, message };
}
