import { describe, expect, it } from "vitest";
import {
  channelBusMessage,
  decodeBusMessage,
  encodeBusMessage,
  presenceBusMessage,
  readPresenceBusMessage,
  readRecordBusMessage,
  recordBusMessage,
  recordChangeHead,
  recordDeletionMessage,
} from "../../../src/bus/busMessages";

describe("bus messages", () => {
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

  it("carries a channel message's JSON behind its header, with the stored position when there is one", () => {
    const stored = decodeBusMessage(channelBusMessage("i1", '{"a":"x\\ny"}', { epoch: "e1", offset: 7 }));
    expect(stored).toEqual({ header: { t: "channel", o: "i1", n: 7, e: "e1" }, frame: '{"a":"x\\ny"}' });
    expect(decodeBusMessage(channelBusMessage("i1", "5"))).toEqual({ header: { t: "channel", o: "i1" }, frame: "5" });
  });
});

describe("record changes on the bus", () => {
  it("reads back the header and the patch and value texts, whatever the value's strings hold", () => {
    const value = { text: "line one\nline two\r\n", nested: { "a\nb": ["\n"] } };
    const patch = [{ op: "replace", path: "/text", value: value.text }];
    const head = recordChangeHead({ t: "record", o: "i-1", v: 7 }, JSON.stringify(patch));
    const change = readRecordBusMessage(recordBusMessage(head, JSON.stringify(value)));
    expect(change?.header).toEqual({ t: "record", o: "i-1", v: 7 });
    expect(JSON.parse(change?.patchJson ?? "")).toEqual(patch);
    expect(JSON.parse(change?.valueJson ?? "")).toEqual(value);
  });

  it("keeps the root and deletion marks", () => {
    const root = readRecordBusMessage(
      recordBusMessage(recordChangeHead({ t: "record", o: "i", v: 1, root: true }, "[]"), "5"),
    );
    expect(root?.header.root).toBe(true);
    const deleted = readRecordBusMessage(
      recordBusMessage(recordChangeHead({ t: "record", o: "i", v: 3, del: true }, "[]"), "null"),
    );
    expect(deleted).toEqual({ header: { t: "record", o: "i", v: 3, del: true }, patchJson: "[]", valueJson: "null" });
    expect(readRecordBusMessage(recordDeletionMessage("i", 3))).toEqual(deleted);
  });

  it("returns null for text that is not a record change", () => {
    for (const text of ["", "{}", '{"v":1}\n[]', "not json\n[]\n{}", '{"t":"record"}\n[]\n{}', "null\n[]\n{}"]) {
      expect(readRecordBusMessage(text), JSON.stringify(text)).toBeNull();
    }
    expect(readRecordBusMessage(channelBusMessage("i", "[]\n{}"))).toBeNull();
  });
});

describe("presence events on the bus", () => {
  it("reads back each kind of event as it was built", () => {
    const at = { epoch: 1_764_000_000_000, seq: 4, room: "r:{1}", memberId: "u\n1" };
    const events = [
      { ...at, type: "join", connectionIds: ["c1"], metadata: { name: "x\ny", tags: [] } },
      { ...at, type: "state", state: { typing: true } },
      { ...at, type: "state", state: null },
      { ...at, type: "leave", connectionIds: ["c1", "c2"] },
    ] as const;
    for (const event of events) expect(readPresenceBusMessage(presenceBusMessage("i1", event))).toEqual(event);
    expect(decodeBusMessage(presenceBusMessage("i1", events[3]))?.frame).toBe("");
  });

  it("returns null for text that is not a presence event", () => {
    const header = { t: "presence", o: "i", room: "r", e: 1, n: 1, ev: "join", m: "u" };
    for (const text of [
      JSON.stringify({ ...header, ev: "other" }),
      JSON.stringify({ ...header, n: "1" }),
      JSON.stringify({ ...header, c: [1] }),
      `${JSON.stringify(header)}\nnot json`,
      channelBusMessage("i", "{}"),
    ]) {
      expect(readPresenceBusMessage(text), text).toBeNull();
    }
  });
});
