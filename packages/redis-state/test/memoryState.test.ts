import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MemoryState } from "../src/index";

describe("MemoryState.shared", () => {
  it("gives servers with the same key prefix one store, and other prefixes their own", async () => {
    const prefix = `test:${randomUUID()}:`;
    const first = MemoryState.shared(prefix);
    const second = MemoryState.shared(prefix);
    const other = MemoryState.shared(`test:${randomUUID()}:`);
    try {
      await first.connections.register("c1", "i1");
      expect(await second.connections.instanceOf("c1")).toBe("i1");
      expect(await other.connections.instanceOf("c1")).toBeNull();
    } finally {
      await Promise.all([first.close(), second.close(), other.close()]);
    }
  });

  it("keeps the store while any holder is open and drops it, data and all, when the last one closes", async () => {
    const prefix = `test:${randomUUID()}:`;
    const first = MemoryState.shared(prefix);
    const second = MemoryState.shared(prefix);
    await first.connections.register("c1", "i1");
    await first.records.commit({ recordId: "r", expectedVersion: 0, json: "1", changeHead: "h", writer: "w" });
    await first.close();
    await first.close();
    // A second close of the same holder releases nothing more: the other holder still sees the data.
    expect(await second.connections.instanceOf("c1")).toBe("i1");
    await second.close();
    const later = MemoryState.shared(prefix);
    try {
      expect(await later.connections.instanceOf("c1")).toBeNull();
      expect((await later.records.get("r")).version).toBe(0);
    } finally {
      await later.close();
    }
  });

  it("closes the buses a holder made, and only those", async () => {
    const prefix = `test:${randomUUID()}:`;
    const first = MemoryState.shared(prefix);
    const second = MemoryState.shared(prefix);
    const got: string[] = [];
    const mine = first.createBus();
    const theirs = second.createBus();
    await mine.subscribe({ kind: "all" }, (message) => got.push(`first:${message}`));
    await theirs.subscribe({ kind: "all" }, (message) => got.push(`second:${message}`));
    await first.close();
    expect(mine.subscribedChannels()).toEqual([]);
    await theirs.publish({ kind: "all" }, "hello");
    await expect.poll(() => got).toEqual(["second:hello"]);
    await second.close();
  });
});
