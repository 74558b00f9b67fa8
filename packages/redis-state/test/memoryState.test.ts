import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MemoryState } from "../src/index";
import { describeStateContract } from "./stateContract";

describeStateContract("memory", async () => MemoryState.shared(`test:${randomUUID()}:`));

describe("MemoryState.shared", () => {
  it("gives servers with the same key prefix one store, and other prefixes their own", async () => {
    const prefix = `test:${randomUUID()}:`;
    const first = MemoryState.shared(prefix);
    await first.registerConnection("c1", "i1");
    expect(await MemoryState.shared(prefix).instanceOf("c1")).toBe("i1");
    expect(await MemoryState.shared(`test:${randomUUID()}:`).instanceOf("c1")).toBeNull();
  });
});
