import { describe, expect, it } from "vitest";
import { TrackedRooms, memberIdOf } from "../../../src/presence/trackedRooms";

describe("tracked rooms", () => {
  it("an exact name beats every pattern, and among patterns the one tracked last wins", () => {
    const tracked = new TrackedRooms(1_000);
    tracked.track(/^doc:/, { ttl: 5_000 });
    tracked.track(/^doc:secret/, { ttl: 7_000 });
    tracked.track("doc:secret-exact", { ttl: 9_000 });
    expect(tracked.ruleFor("doc:a")?.ttlMs).toBe(5_000);
    expect(tracked.ruleFor("doc:secret-1")?.ttlMs).toBe(7_000);
    expect(tracked.ruleFor("doc:secret-exact")?.ttlMs).toBe(9_000);
    // Tracking a pattern again replaces it and makes it the latest.
    tracked.track(/^doc:/, { ttl: 6_000 });
    expect(tracked.ruleFor("doc:secret-1")?.ttlMs).toBe(6_000);
    expect(tracked.ruleFor("lobby")).toBeUndefined();
  });

  it("ttl defaults to three heartbeats and must exceed one; groupBy and guard are checked", () => {
    const tracked = new TrackedRooms(1_000);
    tracked.track("lobby");
    expect(tracked.ruleFor("lobby")?.ttlMs).toBe(3_000);
    expect(() => tracked.track("a", { ttl: 1_000 })).toThrow(TypeError);
    expect(() => tracked.track("a", { ttl: 1.5e3 + 0.5 })).toThrow(TypeError);
    expect(() => tracked.track("a", { groupBy: "" })).toThrow(TypeError);
    expect(() => tracked.track("a", { guard: "yes" as never })).toThrow(TypeError);
    expect(() => tracked.track("")).toThrow(TypeError);
  });

  it("the member id is the groupBy field's string or number, else the connection id", () => {
    const grouped = { ttlMs: 3_000, guard: undefined, groupBy: "userId" };
    expect(memberIdOf(grouped, "c1", { userId: "u1" })).toBe("u1");
    expect(memberIdOf(grouped, "c1", { userId: 42 })).toBe("42");
    expect(memberIdOf(grouped, "c1", { userId: "" })).toBe("c1");
    expect(memberIdOf(grouped, "c1", null)).toBe("c1");
    expect(memberIdOf({ ...grouped, groupBy: undefined }, "c1", { userId: "u1" })).toBe("c1");
  });
});
