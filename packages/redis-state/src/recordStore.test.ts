import { describe, expect, it } from "vitest";
import { readRecordBusMessage, recordBusMessage, recordChangeHead } from "./recordStore";

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
    const root = readRecordBusMessage(recordBusMessage(recordChangeHead({ t: "record", o: "i", v: 1, root: true }, "[]"), "5"));
    expect(root?.header.root).toBe(true);
    const deleted = readRecordBusMessage(recordBusMessage(recordChangeHead({ t: "record", o: "i", v: 3, del: true }, "[]"), "null"));
    expect(deleted).toEqual({ header: { t: "record", o: "i", v: 3, del: true }, patchJson: "[]", valueJson: "null" });
  });

  it("returns null for text that is not a record change", () => {
    for (const text of ["", "{}", '{"v":1}\n[]', "not json\n[]\n{}", '{"t":"record"}\n[]\n{}', "null\n[]\n{}"]) {
      expect(readRecordBusMessage(text), JSON.stringify(text)).toBeNull();
    }
  });
});
