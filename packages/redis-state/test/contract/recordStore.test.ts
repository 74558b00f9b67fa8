import { describe, expect, it } from "vitest";
import { type RecordCommit, type RecordStore, type RecordWrite, readRecordBusMessage } from "../../src/index";
import { IMPLEMENTATIONS, openStates, waitUntil } from "./implementations";

/** A plain compare-and-set write through `commit`, by writer `w1` unless told otherwise. */
function commit(
  records: RecordStore,
  recordId: string,
  expectedVersion: number,
  json: string,
  changeHead: string,
  expectedIncarnation?: string,
  more: Partial<RecordWrite> = {},
): Promise<RecordCommit> {
  return records.commit({ recordId, expectedVersion, json, changeHead, writer: "w1", expectedIncarnation, ...more });
}

describe.each(IMPLEMENTATIONS)("RecordStore contract: %s", (_name, createState) => {
  const open = openStates(createState);

  it("versions records with compare-and-set: one writer per version, value and version together", async () => {
    const { records } = await open();
    expect(await records.get("doc")).toEqual({ json: null, version: 0, incarnation: "" });
    const created = await commit(records, "doc", 0, '{"a":1}', "m1");
    expect(created).toMatchObject({ ok: true, version: 1 });
    expect(created.incarnation).not.toBe("");
    const racing = await Promise.all([
      commit(records, "doc", 1, '{"a":2}', "m2"),
      commit(records, "doc", 1, '{"a":3}', "m3"),
    ]);
    expect(racing.filter((commit) => commit.ok)).toHaveLength(1);
    expect(racing.find((commit) => !commit.ok)).toEqual({ ok: false, version: 2, incarnation: created.incarnation });
    const winner = racing[0]?.ok ? '{"a":2}' : '{"a":3}';
    expect(await records.get("doc")).toEqual({ json: winner, version: 2, incarnation: created.incarnation });
    expect(await commit(records, "doc", 5, "{}", "m")).toMatchObject({ ok: false, version: 2 });
  });

  it("refuses a write against an earlier life of a record deleted and re-created at the same version", async () => {
    const { records } = await open();
    const first = await commit(records, "life", 0, "1", "m");
    await records.delete("life", "origin");
    const second = await commit(records, "life", 0, "2", "m");
    expect(second).toMatchObject({ ok: true, version: 1 });
    expect(second.incarnation).not.toBe(first.incarnation);
    expect(await commit(records, "life", 1, "3", "m", first.incarnation)).toMatchObject({ ok: false, version: 1 });
    expect(await commit(records, "life", 1, "3", "m", second.incarnation)).toMatchObject({ ok: true, version: 2 });
  });

  it("refuses a write sent behind the writer's own previous one when that one was refused", async () => {
    const { records } = await open();
    await commit(records, "chain", 0, "1", "h", undefined, { writer: "a" });
    // b wrote version 2; a's write for version 2 is refused, and a's next write, which builds on it, must be too.
    expect(await commit(records, "chain", 1, "2", "h", undefined, { writer: "b" })).toMatchObject({
      ok: true,
      version: 2,
    });
    expect(await commit(records, "chain", 1, "3", "h", undefined, { writer: "a", afterOwnWrite: true })).toMatchObject({
      ok: false,
    });
    expect(await commit(records, "chain", 2, "4", "h", undefined, { writer: "a", afterOwnWrite: true })).toMatchObject({
      ok: false,
      version: 2,
    });
    expect(await commit(records, "chain", 2, "4", "h", undefined, { writer: "b", afterOwnWrite: true })).toMatchObject({
      ok: true,
      version: 3,
    });
    expect(await commit(records, "chain", 3, "5", "h", undefined, { writer: "a" })).toMatchObject({
      ok: true,
      version: 4,
    });
    expect(await records.get("chain")).toMatchObject({ json: "5", version: 4 });
  });

  it("publishes each committed change and each deletion on the record's topic, in version order", async () => {
    const state = await open();
    const { records } = state;
    const bus = state.createBus();
    try {
      const got: string[] = [];
      await bus.subscribe({ kind: "record", recordId: "r:1" }, (m) => got.push(m));
      await commit(records, "r:1", 0, "1", "change-1");
      await commit(records, "r:1", 0, "1", "refused");
      await commit(records, "r:1", 1, "2", "change-2");
      expect(await records.delete("r:1", "origin")).toBe(2);
      expect(await records.delete("r:1", "origin")).toBe(0);
      await waitUntil(async () => got.length === 3);
      // The store appends the value it stores to the writer's head, so the value crosses to Redis once.
      expect(got.slice(0, 2)).toEqual(["change-1\n1", "change-2\n2"]);
      expect(readRecordBusMessage(got[2] ?? "")).toEqual({
        header: { t: "record", o: "origin", v: 2, del: true },
        patchJson: "[]",
        valueJson: "null",
      });
      expect(await records.get("r:1")).toEqual({ json: null, version: 0, incarnation: "" });
    } finally {
      await bus.close();
    }
  });
});
