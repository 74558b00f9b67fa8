/**
 * What instances say to each other on the bus. A message is one line of JSON header, then, for pushes,
 * a newline and the client frame exactly as it goes on the wire: the frame is serialised once by the
 * publisher and forwarded to sockets untouched, never parsed or re-encoded on the way.
 */
export type BusHeader =
  /** Deliver the frame that follows to local connections: all of them, those in `to`, or all but those in `x`. */
  | { readonly t: "push"; readonly o: string; readonly to?: readonly string[]; readonly x?: readonly string[] }
  /** A connection of the receiving instance joined (`add`) or left (`remove`) a room on another instance. */
  | {
      readonly t: "room-add" | "room-remove";
      readonly o: string;
      readonly room: string;
      readonly conn: string;
      readonly ack: number;
    }
  /** Every member of the room (on the receiving instance) left it. Sent on the room's own topic. */
  | { readonly t: "room-clear"; readonly o: string; readonly room: string }
  /** The receiving instance's request `ack` was carried out. */
  | { readonly t: "ack"; readonly o: string; readonly ack: number }
  /**
   * A message on an application channel; its JSON follows the header. `n` and `e` are the offset and epoch of a
   * stored message. Written by the state layer (the Lua publish script builds the same header).
   */
  | { readonly t: "channel"; readonly o: string; readonly n?: number; readonly e?: string }
  /** Close a connection of the receiving instance. */
  | { readonly t: "close"; readonly o: string; readonly conn: string; readonly code: number; readonly reason: string };

/** A decoded bus message: its header and, for pushes, the frame. */
export interface BusMessage {
  readonly header: BusHeader;
  readonly frame: string;
}

/** Encodes a bus message. */
export function encodeBusMessage(header: BusHeader, frame = ""): string {
  return frame === "" ? JSON.stringify(header) : `${JSON.stringify(header)}\n${frame}`;
}

const HEADER_TYPES = new Set(["push", "room-add", "room-remove", "room-clear", "ack", "close", "channel"]);

/**
 * Decodes a bus message; `null` for anything that is not one (another application's message on a shared
 * prefix, a truncated write). Never throws.
 */
export function decodeBusMessage(message: string): BusMessage | null {
  const newline = message.indexOf("\n");
  const headerText = newline === -1 ? message : message.slice(0, newline);
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    return null;
  }
  if (typeof header !== "object" || header === null) return null;
  const { t, o } = header as { t?: unknown; o?: unknown };
  if (typeof t !== "string" || !HEADER_TYPES.has(t) || typeof o !== "string") return null;
  return { header: header as BusHeader, frame: newline === -1 ? "" : message.slice(newline + 1) };
}
