// Regression: two writers on different instances retried a lost compare-and-set at once, with nothing to break
// the rhythm. Where both see the store with the same latency (two instances in one process, or any stable
// network), they fall into lockstep: one reads just before the other commits, every time, and loses every race
// until it gave up with VERSION_CONFLICT after 100 attempts, a write without `expectedVersion` lost. Seen as an
// intermittent failure of recordConcurrency.test.ts when the suite ran in parallel.
import { MemoryState, type RecordCommit, type StoredRecord } from "@meshwork/redis-state";
import { describe, expect, it } from "vitest";
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

  override async commitRecord(recordId: string, expectedVersion: number, json: string, message: string): Promise<RecordCommit> {
    await this.hop();
    const commit = await super.commitRecord(recordId, expectedVersion, json, message);
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
