import type { RecordMode } from "@meshwork/protocol";
import { describe, expect, it } from "vitest";
import type { RecordUpdate } from "../../../src/types";
import { SharedRecord } from "../../../src/records/sharedRecord";

function store(mode: RecordMode) {
  const errors: unknown[] = [];
  let resyncs = 0;
  const record = new SharedRecord(
    "doc",
    mode,
    (error) => errors.push(error),
    () => resyncs++,
  );
  const listener = (listenerMode: RecordMode) => {
    const log: RecordUpdate[] = [];
    const callback = (update: RecordUpdate) => log.push(update);
    record.listen(callback, listenerMode);
    return log;
  };
  return { record, errors, listener, resyncs: () => resyncs };
}

const patchTo = (n: number) => [{ op: "replace" as const, path: "/n", value: n }];

describe("SharedRecord", () => {
  it("in patch mode applies each patch to its own value; a full-mode listener gets that value, each a copy", () => {
    const { record, listener } = store("patch");
    const patches = listener("patch");
    const fullA = listener("full");
    const fullB = listener("full");
    const answer = { record: { n: 1 }, version: 1 };
    record.settle(answer);

    record.deliver({ recordId: "doc", version: 2, patch: patchTo(2) });

    expect(patches).toEqual([{ recordId: "doc", version: 2, patch: patchTo(2) }]);
    expect(fullA).toEqual([{ recordId: "doc", version: 2, full: { n: 2 } }]);
    expect(fullA[0]?.full).not.toBe(fullB[0]?.full);
    expect(answer.record).toEqual({ n: 1 });
    expect(record.getSnapshot()).toMatchObject({ data: { n: 2 }, version: 2 });
  });

  it("in full mode hands every update to every listener as it came, patch-mode ones included", () => {
    const { record, listener } = store("full");
    const patches = listener("patch");
    const full = listener("full");
    record.settle({ record: { n: 1 }, version: 1 });

    const update = { recordId: "doc", version: 2, full: { n: 2 } };
    record.deliver(update);

    expect(patches).toEqual([update]);
    expect(full).toEqual([update]);
    expect(record.getSnapshot().data).toBe(update.full);
  });

  it("keeps its snapshot until the value or status changes, and an older snapshot keeps its value", () => {
    const { record } = store("patch");
    let changes = 0;
    record.addObserver(() => changes++);
    record.settle({ record: { n: 1 }, version: 1 });
    const first = record.getSnapshot();

    expect(record.getSnapshot()).toBe(first);
    record.stateChanged("active");
    const active = record.getSnapshot();
    record.deliver({ recordId: "doc", version: 2, patch: patchTo(2) });

    expect(active).not.toBe(first);
    expect(record.getSnapshot()).toEqual({ data: { n: 2 }, version: 2, status: "active", error: undefined });
    expect(active.data).toEqual({ n: 1 });
    expect(changes).toBe(3);
  });

  it("asks for the current value instead of delivering a patch it cannot apply", () => {
    const { record, listener, resyncs } = store("patch");
    const log = listener("patch");
    record.settle({ record: { n: 1 }, version: 1 });

    record.deliver({ recordId: "doc", version: 2, patch: [{ op: "test", path: "/n", value: 5 }] });

    expect(resyncs()).toBe(1);
    expect(log).toEqual([]);
    expect(record.getSnapshot().version).toBe(1);
  });

  it("reads as null at version 0 after a deletion, and gives a joining listener a copy of the current value", () => {
    const { record, listener } = store("patch");
    const log = listener("patch");
    record.settle({ record: { n: 1 }, version: 1 });
    const joined = record.current();
    (joined.record as { n: number }).n = 99;

    record.deliver({ recordId: "doc", version: 1, deleted: true });

    expect(record.getSnapshot()).toMatchObject({ data: null, version: 0 });
    expect(joined.version).toBe(1);
    expect(log).toEqual([{ recordId: "doc", version: 1, deleted: true }]);
  });

  it("reports a throwing listener and still calls the others", () => {
    const { record, listener, errors } = store("full");
    const boom = new Error("boom");
    record.listen(() => {
      throw boom;
    }, "full");
    const log = listener("full");

    record.deliver({ recordId: "doc", version: 1, full: { n: 1 } });

    expect(log).toHaveLength(1);
    expect(errors).toEqual([boom]);
  });
});
