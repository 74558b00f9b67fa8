import type { z } from "zod";
import { type ClientMessage, clientMessageSchema } from "./clientMessages";
import { type ServerMessage, serverMessageSchema } from "./serverMessages";

/** Why a frame could not be read. `id` is the request id when the frame carried one, so the error can be answered. */
export interface ParseFailure {
  readonly ok: false;
  readonly reason: "not-json" | "invalid-shape";
  readonly message: string;
  readonly id?: number;
  readonly issues?: readonly z.core.$ZodIssue[];
}

export type ParseResult<T> = { readonly ok: true; readonly message: T } | ParseFailure;

/** Raw frame data as WebSocket libraries hand it over. */
export type RawFrame = string | ArrayBuffer | Uint8Array | readonly Uint8Array[];

const textDecoder = new TextDecoder();

// Realm-independent checks: frames may come from another realm (a worker, a test DOM, a Node Buffer seen by a
// bundled copy), where `instanceof Uint8Array` is false for a perfectly good byte array.
function isArrayBuffer(raw: unknown): raw is ArrayBuffer {
  return Object.prototype.toString.call(raw) === "[object ArrayBuffer]";
}

/** Decodes a frame to text; `undefined` for data that is no frame at all. */
export function frameToText(raw: RawFrame): string | undefined {
  if (typeof raw === "string") return raw;
  if (ArrayBuffer.isView(raw)) return textDecoder.decode(raw);
  if (isArrayBuffer(raw)) return textDecoder.decode(new Uint8Array(raw));
  if (Array.isArray(raw)) return raw.map((chunk) => textDecoder.decode(chunk)).join("");
  return undefined;
}

function idOf(value: unknown): number | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

function parseWith<T>(schema: z.ZodType<T>, raw: RawFrame): ParseResult<T> {
  let value: unknown;
  try {
    const text = frameToText(raw);
    if (text === undefined) return { ok: false, reason: "not-json", message: "Frame is neither text nor bytes" };
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not-json", message: "Frame is not valid JSON" };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, message: result.data };
  const id = idOf(value);
  const failure: ParseFailure = {
    ok: false,
    reason: "invalid-shape",
    message: "Frame is not a valid meshwork message",
    issues: result.error.issues,
  };
  return id === undefined ? failure : { ...failure, id };
}

/** Reads a frame a client sent. Never throws. */
export function parseClientMessage(raw: RawFrame): ParseResult<ClientMessage> {
  return parseWith(clientMessageSchema, raw);
}

/** Reads a frame a server sent. Never throws. */
export function parseServerMessage(raw: RawFrame): ParseResult<ServerMessage> {
  return parseWith(serverMessageSchema, raw);
}

/** Encodes a message for the wire. Typed per direction so a wrong shape fails to compile. */
export function encodeClientMessage(message: ClientMessage): string {
  return JSON.stringify(message);
}

/** Encodes a message for the wire. Typed per direction so a wrong shape fails to compile. */
export function encodeServerMessage(message: ServerMessage): string {
  return JSON.stringify(message);
}
