import { describe, expect, it } from "vitest";
import {
  type RecordUpdateMessage,
  encodeRecordUpdateFrame,
  encodeServerMessage,
  parseServerMessage,
} from "../src/index";

/** The frame text for a message, the way a server relaying an encoded change builds it. */
function spliced(message: RecordUpdateMessage, json: (value: unknown) => string = JSON.stringify): string {
  if (message.deleted) return encodeRecordUpdateFrame(message.recordId, message.version, "deleted");
  if (message.patch !== undefined)
    return encodeRecordUpdateFrame(message.recordId, message.version, "patch", json(message.patch));
  return encodeRecordUpdateFrame(message.recordId, message.version, "full", json(message.full));
}

const messages: RecordUpdateMessage[] = [
  { type: "record-update", recordId: "doc:1", version: 1, full: { n: 1, items: ["a", "b"] } },
  { type: "record-update", recordId: "doc:1", version: 2, full: null },
  { type: "record-update", recordId: "doc:1", version: 3, full: 'text with "quotes", \\ and \n\u2028' },
  {
    type: "record-update",
    recordId: "doc:1",
    version: 4,
    patch: [
      { op: "replace", path: "/n", value: 2 },
      { op: "move", path: "/b", from: "/a" },
    ],
  },
  { type: "record-update", recordId: "doc:1", version: 5, patch: [] },
  { type: "record-update", recordId: "doc:1", version: 6, deleted: true },
  {
    type: "record-update",
    recordId: 'id "quoted" \\ üñí 🚀',
    version: 0,
    full: { "key\nwith newline": [1.5, -0, true] },
  },
];

describe("encodeRecordUpdateFrame", () => {
  it.each(messages.map((message) => [message.version, message] as const))(
    "reads as what encodeServerMessage gives (version %i)",
    (_version, message) => {
      const expected = parseServerMessage(encodeServerMessage(message));
      expect(expected.ok).toBe(true);
      expect(parseServerMessage(spliced(message))).toEqual(expected);
    },
  );

  it("is the very text encodeServerMessage gives when the JSON came from JSON.stringify", () => {
    for (const message of messages) expect(spliced(message)).toBe(encodeServerMessage(message));
  });

  it("splices JSON in whatever spacing it was written with, untouched", () => {
    const message = messages[0] as RecordUpdateMessage;
    const text = spliced(message, (value) => JSON.stringify(value, null, 2));
    expect(text).toContain(JSON.stringify(message.full, null, 2));
    expect(parseServerMessage(text)).toEqual(parseServerMessage(encodeServerMessage(message)));
  });
});
