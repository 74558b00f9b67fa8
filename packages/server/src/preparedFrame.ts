import * as ws from "ws";

/** The parts of `ws`'s frame encoder used here; `ws` exports it but its type definitions do not declare it. */
interface FrameEncoder {
  frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
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
