import { describe, expect, it } from "vitest";
import { parseClientMessage, parseClientMessageFast } from "../src/index";

const ids: unknown[] = [
  0,
  1,
  42,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  -1,
  1.5,
  "1",
  null,
  true,
  undefined,
  1e300,
];
const commands: unknown[] = ["echo", "x", "", "c".repeat(256), "c".repeat(257), 5, null, undefined, "mesh/join"];
const payloads: unknown[] = [undefined, null, 0, "text", { nested: [1, { a: null }] }, [1, 2], false];
const types: unknown[] = ["request", "pong", "latency-reply", "ping", "", 1, null, undefined, "REQUEST"];

/** Every combination of the fields above, plus extra keys, as JSON text. */
function corpus(): string[] {
  const frames: string[] = [
    "{",
    "",
    "null",
    "[]",
    '[{"type":"pong"}]',
    "42",
    '"pong"',
    '{"__proto__":{"type":"pong"}}',
  ];
  for (const type of types) {
    for (const id of ids) {
      for (const command of commands) {
        for (const payload of payloads) {
          const message: Record<string, unknown> = { type, id, command, payload };
          frames.push(JSON.stringify(message));
          frames.push(JSON.stringify({ ...message, extra: "ignored" }));
        }
      }
    }
  }
  return frames;
}

describe("parseClientMessageFast", () => {
  it("gives exactly the results of parseClientMessage", () => {
    const frames = corpus();
    expect(frames.length).toBeGreaterThan(10_000);
    for (const frame of frames) {
      expect(parseClientMessageFast(frame), frame).toEqual(parseClientMessage(frame));
    }
  });

  it("reads bytes, array buffers and chunks like parseClientMessage", () => {
    const encoder = new TextEncoder();
    const frame = JSON.stringify({ type: "request", id: 3, command: "echo", payload: "héllo ✓" });
    const bytes = encoder.encode(frame);
    const expected = { ok: true, message: { type: "request", id: 3, command: "echo", payload: "héllo ✓" } };
    expect(parseClientMessageFast(bytes)).toEqual(expected);
    expect(parseClientMessageFast(bytes.buffer.slice(0))).toEqual(expected);
    expect(parseClientMessageFast([bytes.subarray(0, 10), bytes.subarray(10)])).toEqual(expected);
    const invalidUtf8 = new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]);
    expect(parseClientMessageFast(invalidUtf8)).toEqual(parseClientMessage(invalidUtf8));
  });

  it("strips unknown keys from well-formed messages, as the schema does", () => {
    expect(parseClientMessageFast('{"type":"pong","id":9,"x":1}')).toEqual({ ok: true, message: { type: "pong" } });
    expect(parseClientMessageFast('{"type":"latency-reply","id":9,"x":1}')).toEqual({
      ok: true,
      message: { type: "latency-reply", id: 9 },
    });
  });
});
