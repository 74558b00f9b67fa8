import * as ws from "ws";
import type { WebSocket } from "ws";

/** The parts of `ws`'s frame encoder used here; `ws` exports it but its type definitions do not declare it. */
interface FrameEncoder {
  frame(
    data: Buffer,
    options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
  ): Buffer[];
}

// The ESM entry of `ws` exports `Sender` by name; the CommonJS one hangs it on the default export.
const encoder =
  (ws as unknown as { Sender?: FrameEncoder }).Sender ??
  (ws as unknown as { default?: { Sender?: FrameEncoder } }).default?.Sender;
const TEXT_OPCODE = 1;

/**
 * A text frame encoded once, WebSocket header included, for a push that goes to many sockets: each socket then
 * writes the same bytes in one call instead of framing the message again (as Socket.IO does for broadcasts).
 * `payload` stays available for sockets that cannot take a ready frame.
 */
export class PreparedFrame {
  /** The whole frame, header and payload, or `null` when `ws` offers no encoder (then sockets send `payload`). */
  readonly wire: Buffer | null;

  constructor(readonly payload: Buffer) {
    const parts = encoder?.frame(payload, { fin: true, opcode: TEXT_OPCODE, mask: false, readOnly: true, rsv1: false });
    this.wire = parts === undefined ? null : parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }
}

/** The frame writer under a `ws` socket: not public in `ws`, hence looked up defensively. */
type WithSender = { _sender?: { sendFrame?(list: Buffer[]): void } | null };

const TEXT_FRAME = { binary: false } as const;

/**
 * Writes a frame encoded once for many sockets. Safe because the server never compresses (no permessage-deflate)
 * and never sends blobs, so `ws` has no send queue a direct write could overtake.
 */
export function sendPreparedFrame(socket: WebSocket, frame: PreparedFrame): void {
  const sender = (socket as unknown as WithSender)._sender;
  if (frame.wire !== null && typeof sender?.sendFrame === "function") sender.sendFrame([frame.wire]);
  else socket.send(frame.payload, TEXT_FRAME);
}
