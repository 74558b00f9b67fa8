import { describe, expect, it } from "vitest";
import { decodeBusMessage, encodeBusMessage } from "./busEnvelope";

describe("bus envelope", () => {
  it("carries a frame untouched behind its header, newlines and all", () => {
    const frame = JSON.stringify({ type: "push", command: "news", payload: "line one\nline two" });
    const decoded = decodeBusMessage(encodeBusMessage({ t: "push", o: "i1", x: ["c1"] }, frame));
    expect(decoded).toEqual({ header: { t: "push", o: "i1", x: ["c1"] }, frame });
  });

  it("carries control messages without a frame", () => {
    const header = { t: "room-add", o: "i1", room: "a:b\nc", conn: "c1", ack: 3 } as const;
    expect(decodeBusMessage(encodeBusMessage(header))).toEqual({ header, frame: "" });
  });

  it("returns null for anything that is not a bus message", () => {
    for (const junk of ["", "nope", "[]", "null", '{"t":"push"}', '{"t":"other","o":"x"}', '{"t":"ack","o":5}']) {
      expect(decodeBusMessage(junk)).toBeNull();
    }
  });
});
