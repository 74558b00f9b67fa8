// Regression: two writers on different instances retried a lost compare-and-set at once, with nothing to break
// the rhythm. Where both see the store with the same latency (two instances in one process, or any stable
// network), they fall into lockstep: one reads just before the other commits, every time, and loses every race
// until it gave up with VERSION_CONFLICT after 100 attempts, a write without `expectedVersion` lost. Seen as an
// intermittent failure of recordConcurrency.test.ts when the suite ran in parallel.
import { MemoryState, type RecordCommit, type StoredRecord } from "@meshwork/redis-state";
import { describe, expect, it, vi } from "vitest";
import { RecordWriter } from "../../src/records/recordWriter";

/** A store with a fixed round trip: each call waits a timer tick before and after it runs, like a network hop. */
class SteadyLatencyState extends MemoryState {
  private hop(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 1));
  }

  override async getRecord(recordId: string): Promise<StoredRecord> {
    await this.hop();
    const stored = await super.getRecord(recordId);
    await this.hop();
    return stored;
  }

  override async commitRecord(
    recordId: string,
    expectedVersion: number,
    json: string,
    message: string,
    expectedIncarnation?: string,
  ): Promise<RecordCommit> {
    await this.hop();
    const commit = await super.commitRecord(recordId, expectedVersion, json, message, expectedIncarnation);
    await this.hop();
    return commit;
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
    expect((await state.getRecord("counter")).version).toBe(151);
  }, 20_000);
});

describe("RecordWriter's memory of its last write", () => {
  it("is not trusted after another instance deleted and re-created the record at the same version", async () => {
    const state = new MemoryState();
    const a = new RecordWriter(state, "instance-a");
    const b = new RecordWriter(state, "instance-b");
    const bus = state.createBus();
    const changes: string[] = [];
    await bus.subscribe({ kind: "record", recordId: "doc" }, (message) => changes.push(message));
    try {
      expect(await a.update("doc", { owner: "a", n: 1 })).toBe(1);
      expect(await b.delete("doc")).toBe(true);
      expect(await b.update("doc", { owner: "b", n: 1 })).toBe(1);
      // a remembers version 1 as its own value; the record's new life at version 1 holds b's value instead.
      expect(await a.update("doc", { owner: "a", n: 2 })).toBe(2);
      await vi.waitFor(() => expect(changes).toHaveLength(4));
      const last = JSON.parse((changes[3] ?? "").split("\n")[1] ?? "null") as { patch: { path: string }[] };
      // The patch is against b's value (owner changed), not against a's remembered one (only n changed).
      expect(last.patch.map((operation) => operation.path).sort()).toEqual(["/n", "/owner"]);
      expect(await a.get("doc")).toEqual({ value: { owner: "a", n: 2 }, version: 2 });
    } finally {
      await bus.close();
    }
  });
});
