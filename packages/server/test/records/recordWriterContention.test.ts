// Regression: two writers on different instances retried a lost compare-and-set at once, with nothing to break
// the rhythm. Where both see the store with the same latency (two instances in one process, or any stable
// network), they fall into lockstep: one reads just before the other commits, every time, and loses every race
// until it gave up with VERSION_CONFLICT after 100 attempts, a write without `expectedVersion` lost. Seen as an
// intermittent failure of recordConcurrency.test.ts when the suite ran in parallel.
// Also: writes sent back to back from one instance (no read, no wait), and what happens when they collide.
import {
  MemoryState,
  type MeshBus,
  type RecordCommit,
  type RecordWrite,
  type StoredRecord,
  readRecordBusMessage,
} from "@meshwork/redis-state";
import { applyPatch } from "@meshwork/client";
import type { PatchOperation } from "@meshwork/protocol";
import { describe, expect, it, vi } from "vitest";
import { RecordWriter } from "../../src/records/recordWriter";

/** A store with a fixed round trip: each call waits a timer tick before and after it runs, like a network hop. */
class SteadyLatencyState extends MemoryState {
  constructor() {
    super();
    const get = this.records.get.bind(this.records);
    const commit = this.records.commit.bind(this.records);
    this.records.get = async (recordId: string): Promise<StoredRecord> => {
      await this.hop();
      const stored = await get(recordId);
      await this.hop();
      return stored;
    };
    this.records.commit = async (write: RecordWrite): Promise<RecordCommit> => {
      await this.hop();
      const committed = await commit(write);
      await this.hop();
      return committed;
    };
  }

  private hop(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe("RecordWriter under steady contention", () => {
  it("a writer that keeps losing races to another instance still gets through: no write is lost", async () => {
    const state = new SteadyLatencyState();
    const a = new RecordWriter(state, "instance-a");
    const b = new RecordWriter(state, "instance-b");

    const fromA = Array.from({ length: 150 }, (_, i) => a.update("counter", { by: "a", i }));
    const fromB = b.update("counter", { by: "b" });
    const versions = await Promise.all([...fromA, fromB]);

    expect(new Set(versions).size).toBe(151);
    expect((await state.records.get("counter")).version).toBe(151);
  }, 20_000);
});

/** Two instances' writers on one store, and every change of record `doc` its bus carries, in order. */
async function twoWriters(
  state: MemoryState,
): Promise<{ a: RecordWriter; b: RecordWriter; bus: MeshBus; changes: string[] }> {
  const bus = state.createBus();
  const changes: string[] = [];
  await bus.subscribe({ kind: "record", recordId: "doc" }, (message) => changes.push(message));
  return { a: new RecordWriter(state, "instance-a"), b: new RecordWriter(state, "instance-b"), bus, changes };
}

describe("RecordWriter's memory of its last write", () => {
  it("is not trusted after another instance deleted and re-created the record at the same version", async () => {
    const state = new MemoryState();
    const { a, b, bus, changes } = await twoWriters(state);
    try {
      expect(await a.update("doc", { owner: "a", n: 1 })).toBe(1);
      expect(await b.delete("doc")).toBe(true);
      expect(await b.update("doc", { owner: "b", n: 1 })).toBe(1);
      // a remembers version 1 as its own value; the record's new life at version 1 holds b's value instead.
      expect(await a.update("doc", { owner: "a", n: 2 })).toBe(2);
      await vi.waitFor(() => expect(changes).toHaveLength(4));
      const patch = JSON.parse(readRecordBusMessage(changes[3] ?? "")?.patchJson ?? "null") as { path: string }[];
      // The patch is against b's value (owner changed), not against a's remembered one (only n changed).
      expect(patch.map((operation) => operation.path).sort()).toEqual(["/n", "/owner"]);
      expect(await a.get("doc")).toEqual({ value: { owner: "a", n: 2 }, version: 2 });
    } finally {
      await bus.close();
    }
  });
});

/** Counts reads, refused compare-and-sets, and the most compare-and-sets a store had in flight at once. */
class CountingState extends SteadyLatencyState {
  reads = 0;
  refused = 0;
  inFlight = 0;
  mostInFlight = 0;

  constructor() {
    super();
    const get = this.records.get.bind(this.records);
    const commit = this.records.commit.bind(this.records);
    this.records.get = async (recordId: string): Promise<StoredRecord> => {
      this.reads++;
      return get(recordId);
    };
    this.records.commit = async (write: RecordWrite): Promise<RecordCommit> => {
      this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
      try {
        const committed = await commit(write);
        if (!committed.ok) this.refused++;
        return committed;
      } finally {
        this.inFlight--;
      }
    };
  }
}

/** Replays every change a bus carried for a record, in order, and returns the versions and the value they build. */
function replay(changes: string[]): { versions: number[]; value: unknown } {
  let value: unknown = null;
  const versions: number[] = [];
  for (const text of changes) {
    const change = readRecordBusMessage(text);
    if (!change) throw new Error(`unreadable change ${text}`);
    versions.push(change.header.v);
    value = change.header.root
      ? JSON.parse(change.valueJson)
      : applyPatch(value, JSON.parse(change.patchJson) as PatchOperation[]);
    // Every patch must land exactly on the value the change carries.
    expect(value).toEqual(JSON.parse(change.valueJson));
  }
  return { versions, value };
}

describe("RecordWriter sending writes back to back", () => {
  it("sends a burst of writes from one instance without reads or waiting, in call order", async () => {
    const state = new CountingState();
    const writer = new RecordWriter(state, "instance-a");
    await writer.update("doc", { n: 0, tag: "start" });
    state.reads = 0;

    const versions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => writer.update("doc", { n: i + 1, tag: "start" })),
    );

    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(state.reads).toBe(0);
    expect(state.mostInFlight).toBeGreaterThan(1);
    expect(await writer.get("doc")).toEqual({ value: { n: 50, tag: "start" }, version: 51 });
  });

  it("a burst called before the first write of a record has landed reads the record once, and keeps call order", async () => {
    const state = new CountingState();
    const writer = new RecordWriter(state, "instance-a");
    const versions = await Promise.all(Array.from({ length: 30 }, (_, i) => writer.update("fresh", { n: i })));
    expect(versions).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(state.reads).toBe(1);
    expect(state.refused).toBe(0);
    expect(await writer.get("fresh")).toEqual({ value: { n: 29 }, version: 30 });
  });

  it("bursts from two instances interleave without a lost write, a duplicate version or a patch on the wrong base", async () => {
    const state = new CountingState();
    const { a, b, bus, changes } = await twoWriters(state);
    try {
      await a.update("doc", { a: 0, b: 0 });
      await b.update("doc", { a: 0, b: 1 });
      // Each write sets only its own field, on a fresh object, so each value differs from whatever is stored.
      const fromA = Array.from({ length: 60 }, (_, i) => a.update("doc", { a: i + 1, b: -1, by: "a" }));
      const fromB = Array.from({ length: 60 }, (_, i) => b.update("doc", { a: -1, b: i + 2, by: "b" }));
      const [versionsA, versionsB] = await Promise.all([Promise.all(fromA), Promise.all(fromB)]);

      // Each instance's writes keep their call order; together they take every version once.
      for (const versions of [versionsA, versionsB]) expect(versions).toEqual([...versions].sort((x, y) => x - y));
      expect(new Set([...versionsA, ...versionsB]).size).toBe(120);
      const stored = await state.records.get("doc");
      expect(stored.version).toBe(122);

      await vi.waitFor(() => expect(changes).toHaveLength(122));
      const { versions, value } = replay(changes);
      expect(versions).toEqual(Array.from({ length: 122 }, (_, i) => i + 1));
      expect(value).toEqual(JSON.parse(stored.json ?? "null"));
      // The bursts did collide: writes sent behind their own were refused and redone.
      expect(state.refused).toBeGreaterThan(0);
    } finally {
      await bus.close();
    }
  }, 20_000);

  it("a write with expectedVersion queued behind a burst is checked against the burst's last version", async () => {
    const state = new SteadyLatencyState();
    const writer = new RecordWriter(state, "instance-a");
    await writer.update("doc", { n: 0 });
    const burst = Array.from({ length: 5 }, (_, i) => writer.update("doc", { n: i + 1 }));
    const stale = writer.update("doc", { n: "stale" }, { expectedVersion: 1 });
    const current = writer.update("doc", { n: "current" }, { expectedVersion: 6 });
    const after = writer.update("doc", { n: "after" });
    expect(await Promise.all(burst)).toEqual([2, 3, 4, 5, 6]);
    await expect(stale).rejects.toMatchObject({ code: "VERSION_CONFLICT" });
    expect(await current).toBe(7);
    expect(await after).toBe(8);
    expect(await writer.get("doc")).toEqual({ value: { n: "after" }, version: 8 });
  });
});
