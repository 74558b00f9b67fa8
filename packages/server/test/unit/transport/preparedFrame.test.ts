import { describe, expect, it } from "vitest";
import { PreparedFrame } from "../../../src/transport/preparedFrame";

describe("PreparedFrame", () => {
  it("encodes an unmasked, final text frame once, header and payload in one buffer", () => {
    const payload = Buffer.from('{"type":"push","command":"tick"}');
    const frame = new PreparedFrame(payload);
    expect(frame.wire).not.toBeNull();
    const wire = frame.wire as Buffer;
    expect(wire[0]).toBe(0x81); // FIN + text opcode
    expect(wire[1]).toBe(payload.length); // no mask bit, 7-bit length
    expect(wire.subarray(2).equals(payload)).toBe(true);
  });

  it("uses the extended length header for larger payloads", () => {
    const payload = Buffer.alloc(70_000, 0x61);
    const wire = new PreparedFrame(payload).wire as Buffer;
    expect(wire[1]).toBe(127);
    expect(wire.length).toBe(payload.length + 10);
  });
});
