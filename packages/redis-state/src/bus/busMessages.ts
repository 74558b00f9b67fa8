import type { StoredPosition } from "../channels/channelRecovery";
import type { PresenceEvent } from "../presence/presenceStore";

/**
 * Every message one instance sends another over the bus, with its encoding and decoding: the one place the bus
 * format is defined. A message is one line of JSON header, whose `t` names its type and `o` the instance that sent
 * it, then, for types that carry one, a newline and a body. Bodies are text that no instance parses on the way: a
 * push's client frame is serialised once by the publisher and forwarded to sockets untouched, a channel message's
 * JSON and a record change's patch and value JSON are spliced into frames as they are. JSON text never holds a raw
 * newline, so the lines split cleanly.
 *
 * Some Lua scripts (redis/scripts.ts, presence/presenceScripts.ts) write or complete some of these messages themselves, because they publish in
 * the same atomic step as they store; each such type names its script below. Lua's `cjson` may order a header's
 * fields differently, so the bytes can differ while the decoded message is the same (a test checks this against Redis).
 */

/**
 * Deliver the frame that follows (the body) to local connections: all of them, those in `to`, or all but those in
 * `x`. Built only in TypeScript.
 */
export interface PushHeader {
  readonly t: "push";
  readonly o: string;
  readonly to?: readonly string[];
  readonly x?: readonly string[];
}

/**
 * A connection of the receiving instance joined (`room-add`) or left (`room-remove`) a room on another instance; the
 * receiver answers with an `ack` of the same number. No body. Built only in TypeScript.
 */
export interface RoomChangeHeader {
  readonly t: "room-add" | "room-remove";
  readonly o: string;
  readonly room: string;
  readonly conn: string;
  readonly ack: number;
}

/** Every member of the room (on the receiving instance) left it. Sent on the room's own topic; no body. TypeScript only. */
export interface RoomClearHeader {
  readonly t: "room-clear";
  readonly o: string;
  readonly room: string;
}

/** The receiving instance's request `ack` was carried out. No body. Built only in TypeScript. */
export interface AckHeader {
  readonly t: "ack";
  readonly o: string;
  readonly ack: number;
}

/** Close a connection of the receiving instance. No body. Built only in TypeScript. */
export interface CloseHeader {
  readonly t: "close";
  readonly o: string;
  readonly conn: string;
  readonly code: number;
  readonly reason: string;
}

/**
 * A message on an application channel; the body is its JSON. `n` and `e` are the offset and epoch of a stored
 * message. Built by {@link channelBusMessage}; for stored messages, `publishToChannelScript` builds the same message.
 */
export interface ChannelHeader {
  readonly t: "channel";
  readonly o: string;
  readonly n?: number;
  readonly e?: string;
}

/**
 * A change of a record at version `v`; the body is two lines, the RFC 6902 patch JSON and the new value JSON (`null`
 * for a deletion). `del` marks a deletion; `root` marks a patch that replaces the whole value (the record was created
 * or changed type), which patch-mode subscribers cannot apply in place. Built by {@link recordChangeHead} and
 * {@link recordBusMessage}: `commitRecordScript` appends the value line to the writer's head, and
 * `deleteRecordScript` builds the whole deletion, the same message as {@link recordDeletionMessage}.
 */
export interface RecordBusHeader {
  readonly t: "record";
  readonly o: string;
  readonly v: number;
  readonly del?: true;
  readonly root?: true;
}

/**
 * A presence event of `room` (`ev`: join, leave or state) for member `m`, at position `e` (epoch) / `n` (seq); `c`
 * lists the connections that made a member join or leave. The body is one line of JSON: the member's metadata for a
 * join, the state for a state event (`null` when cleared or expired), nothing for a leave. Built in Lua by every
 * presence script (`announce` in presence/presenceScripts.ts: join, leave, sweep, publish and clear state), and in
 * TypeScript by {@link presenceBusMessage} for the memory store; {@link readPresenceBusMessage} reads either.
 */
export interface PresenceBusHeader {
  readonly t: "presence";
  readonly o: string;
  readonly room: string;
  readonly e: number;
  readonly n: number;
  readonly ev: PresenceEvent["type"];
  readonly m: string;
  readonly c?: readonly string[];
}

/** The header of any bus message: one union of every message type, told apart by `t`. */
export type BusHeader =
  | PushHeader
  | RoomChangeHeader
  | RoomClearHeader
  | AckHeader
  | CloseHeader
  | ChannelHeader
  | RecordBusHeader
  | PresenceBusHeader;

/** The type of a bus message: the `t` of its header. */
export type BusMessageType = BusHeader["t"];

/** A decoded bus message: its header and its body, as text (`""` for types without one). */
export interface BusMessage {
  readonly header: BusHeader;
  readonly frame: string;
}

/** Encodes a bus message: the header line and, when there is a body, a newline and the body. */
export function encodeBusMessage(header: BusHeader, frame = ""): string {
  return frame === "" ? JSON.stringify(header) : `${JSON.stringify(header)}\n${frame}`;
}

/**
 * Decodes a bus message; `null` for anything that is not one (another application's message on a shared prefix, a
 * truncated write). Only the header is parsed; the body is returned as text. Never throws.
 */
export function decodeBusMessage(message: string): BusMessage | null {
  const newline = message.indexOf("\n");
  let header: unknown;
  try {
    header = JSON.parse(newline === -1 ? message : message.slice(0, newline));
  } catch {
    return null;
  }
  if (typeof header !== "object" || header === null) return null;
  const { t, o } = header as { t?: unknown; o?: unknown };
  if (typeof o !== "string") return null;
  const frame = newline === -1 ? "" : message.slice(newline + 1);
  switch (t) {
    case "push":
    case "room-add":
    case "room-remove":
    case "room-clear":
    case "ack":
    case "close":
    case "channel":
      return { header: header as BusHeader, frame };
    case "record":
      return typeof (header as { v?: unknown }).v === "number" ? { header: header as RecordBusHeader, frame } : null;
    case "presence":
      return isPresenceHeader(header) ? { header, frame } : null;
    default:
      return null;
  }
}

/**
 * A channel message: the header (with the stored message's position, if it was stored) and the message's JSON.
 * `publishToChannelScript` builds the same message for the messages it stores.
 */
export function channelBusMessage(origin: string, json: string, position?: StoredPosition): string {
  const header: ChannelHeader = position
    ? { t: "channel", o: origin, n: position.offset, e: position.epoch }
    : { t: "channel", o: origin };
  return encodeBusMessage(header, json);
}

/**
 * The first two lines of a record change: its header and patch JSON. The writer sends only these; the store appends
 * the value it stores ({@link recordBusMessage}, or `commitRecordScript` in Redis), so the value crosses to Redis once
 * per write.
 */
export function recordChangeHead(header: RecordBusHeader, patchJson: string): string {
  return encodeBusMessage(header, patchJson);
}

/** A record change as the store publishes it: the writer's head and the value JSON. `commitRecordScript`'s twin. */
export function recordBusMessage(head: string, valueJson: string): string {
  return `${head}\n${valueJson}`;
}

/** The deletion of a record that was at `version`. `deleteRecordScript` builds the same message. */
export function recordDeletionMessage(origin: string, version: number): string {
  return recordBusMessage(recordChangeHead({ t: "record", o: origin, v: version, del: true }, "[]"), "null");
}

/** A record change read off the bus: the parsed header and the patch and value JSON texts, unparsed. */
export interface RecordBusChange {
  readonly header: RecordBusHeader;
  readonly patchJson: string;
  readonly valueJson: string;
}

/** Reads a record change off the bus, splitting its body without parsing it; `null` when it is not one. */
export function readRecordBusMessage(text: string): RecordBusChange | null {
  const message = decodeBusMessage(text);
  if (message?.header.t !== "record") return null;
  const newline = message.frame.indexOf("\n");
  if (newline === -1) return null;
  return {
    header: message.header,
    patchJson: message.frame.slice(0, newline),
    valueJson: message.frame.slice(newline + 1),
  };
}

const PRESENCE_EVENT_TYPES: ReadonlySet<unknown> = new Set(["join", "leave", "state"]);

function isPresenceHeader(header: object): header is PresenceBusHeader {
  const { room, e, n, ev, m, c } = header as Partial<Record<keyof PresenceBusHeader, unknown>>;
  return (
    typeof room === "string" &&
    typeof e === "number" &&
    typeof n === "number" &&
    PRESENCE_EVENT_TYPES.has(ev) &&
    typeof m === "string" &&
    (c === undefined || (Array.isArray(c) && c.every((id) => typeof id === "string")))
  );
}

/**
 * A presence event as it travels on the room's presence topic, sent by `origin`. The memory store publishes this;
 * the Redis presence scripts build the same message in Lua.
 */
export function presenceBusMessage(origin: string, event: PresenceEvent): string {
  const header: PresenceBusHeader = {
    t: "presence",
    o: origin,
    room: event.room,
    e: event.epoch,
    n: event.seq,
    ev: event.type,
    m: event.memberId,
    ...(event.connectionIds ? { c: event.connectionIds } : {}),
  };
  if (event.type === "leave") return encodeBusMessage(header);
  const body = event.type === "join" ? event.metadata : event.state;
  return encodeBusMessage(header, JSON.stringify(body ?? null));
}

/** Reads a presence event off the bus, parsing its metadata or state; `null` when the text is not one. */
export function readPresenceBusMessage(text: string): PresenceEvent | null {
  const message = decodeBusMessage(text);
  if (message?.header.t !== "presence") return null;
  const { room, e, n, ev, m, c } = message.header;
  const position = { epoch: e, seq: n, room, memberId: m, ...(c ? { connectionIds: [...c] } : {}) };
  if (ev === "leave") return { ...position, type: ev };
  let body: unknown;
  try {
    body = JSON.parse(message.frame);
  } catch {
    return null;
  }
  return ev === "join" ? { ...position, type: ev, metadata: body } : { ...position, type: ev, state: body };
}
