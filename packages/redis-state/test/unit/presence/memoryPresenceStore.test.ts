import { describe, expect, it } from "vitest";
import { MemoryData } from "../../../src/memory/memoryData";
import { MemoryPresenceStore } from "../../../src/presence/memoryPresenceStore";

// The memory store takes its clock from the caller, so a test moves time instead of waiting for it.
describe("memory presence on a clock the test moves", () => {
  it("keeps a connection that its instance refreshes, and sweeps it out once the refreshes stop", async () => {
    let now = 1_000_000;
    const presence = new MemoryPresenceStore(new MemoryData("clock:"), () => now);
    await presence.join("r", { memberId: "c1", connectionId: "c1", ttlMs: 100, origin: "i1" });
    for (let beat = 0; beat < 5; beat++) {
      now += 80;
      expect(await presence.refresh([{ room: "r", connectionId: "c1" }], 100)).toEqual([]);
      expect(await presence.sweepExpired("r", "i2")).toEqual([]);
    }
    now += 100;
    expect((await presence.sweepExpired("r", "i2")).map((event) => [event.type, event.memberId])).toEqual([
      ["leave", "c1"],
    ]);
    expect(await presence.roomsWithPresence()).toEqual([]);
  });

  it("expires a state at its time, once", async () => {
    let now = 5_000;
    const presence = new MemoryPresenceStore(new MemoryData("clock:"), () => now);
    await presence.join("r", { memberId: "c1", connectionId: "c1", ttlMs: 10_000, origin: "i1" });
    await presence.publishState("r", { memberId: "c1", state: "typing", expireAfterMs: 50, origin: "i1" });
    now += 49;
    expect(await presence.sweepExpired("r", "i1")).toEqual([]);
    now += 1;
    expect((await presence.sweepExpired("r", "i1")).map((event) => event.state)).toEqual([null]);
    expect(await presence.sweepExpired("r", "i1")).toEqual([]);
  });

  it("starts a larger epoch when a room's position was dropped after an hour without events", async () => {
    let now = 10_000;
    const presence = new MemoryPresenceStore(new MemoryData("clock:"), () => now);
    const first = await presence.join("r", { memberId: "a", connectionId: "a", ttlMs: 10, origin: "i1" });
    await presence.leave("r", "a", "i1");
    now += 3_600_001;
    expect(await presence.snapshot("r")).toEqual({ epoch: 0, seq: 0, members: [], states: {} });
    const second = await presence.join("r", { memberId: "a", connectionId: "a", ttlMs: 10, origin: "i1" });
    expect(second?.seq).toBe(1);
    expect(second?.epoch).toBeGreaterThan(first?.epoch ?? Number.POSITIVE_INFINITY);
  });
});
