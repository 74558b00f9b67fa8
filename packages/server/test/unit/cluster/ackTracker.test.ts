import { describe, expect, it } from "vitest";
import { AckTracker } from "../../../src/cluster/ackTracker";

describe("AckTracker", () => {
  it("resolves true on acknowledgement and forgets the request", async () => {
    const tracker = new AckTracker(1_000);
    const { id, acknowledged } = tracker.expect();
    tracker.acknowledge(id);
    await expect(acknowledged).resolves.toBe(true);
    expect(tracker.size).toBe(0);
  });

  it("resolves false at the deadline, and a late acknowledgement changes nothing", async () => {
    const tracker = new AckTracker(20);
    const { id, acknowledged } = tracker.expect();
    await expect(acknowledged).resolves.toBe(false);
    tracker.acknowledge(id);
    expect(tracker.size).toBe(0);
  });

  it("settles everything pending on cancelAll", async () => {
    const tracker = new AckTracker(60_000);
    const requests = [tracker.expect(), tracker.expect()];
    tracker.cancelAll();
    await expect(Promise.all(requests.map((r) => r.acknowledged))).resolves.toEqual([false, false]);
    expect(tracker.size).toBe(0);
  });
});
