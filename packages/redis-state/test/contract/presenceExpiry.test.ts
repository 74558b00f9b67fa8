import { describe, expect, it } from "vitest";
import type { PresenceEvent } from "../../src/index";
import { IMPLEMENTATIONS, openStates, waitUntil } from "./implementations";
import { HOUR, LATER, sharedPrefix, watchPresence } from "./presenceWatcher";

// Sweeps given a `nowMs` ahead of the clock stand in for time passing, so these tests wait for nothing but
// deliveries; one test lets a short TTL run out on the store's own clock.
describe.each(IMPLEMENTATIONS)("PresenceStore expiry contract: %s", (_name, createState) => {
  const open = openStates(createState);

  it("sweeps an expired connection's member out with one leave, and leaves a live one alone", async () => {
    const state = await open();
    const watcher = await watchPresence(state, "r");
    const { presence } = state;
    await presence.join("r", { memberId: "short", connectionId: "s1", ttlMs: 60_000, origin: "i1" });
    await presence.join("r", { memberId: "long", connectionId: "l1", ttlMs: HOUR, origin: "i1" });
    expect(await presence.sweepExpired("r", "i2", LATER(30_000))).toEqual([]);
    const swept = await presence.sweepExpired("r", "i2", LATER(120_000));
    expect(swept.map((event) => [event.type, event.memberId, event.connectionIds])).toEqual([
      ["leave", "short", ["s1"]],
    ]);
    expect(await presence.sweepExpired("r", "i2", LATER(120_000))).toEqual([]);
    expect((await presence.snapshot("r")).members.map((member) => member.memberId)).toEqual(["long"]);
    expect((await watcher.received(3)).map((event) => [event.type, event.memberId])).toEqual([
      ["join", "short"],
      ["join", "long"],
      ["leave", "short"],
    ]);
    await watcher.close();
  });

  it("expires on the store's own clock when no time is given", async () => {
    const { presence } = await open();
    await presence.join("r", { memberId: "c1", connectionId: "c1", ttlMs: 50, origin: "i1" });
    const swept: PresenceEvent[] = [];
    await waitUntil(async () => {
      swept.push(...(await presence.sweepExpired("r", "i1")));
      return swept.length > 0;
    });
    expect(swept.map((event) => event.type)).toEqual(["leave"]);
  });

  it("keeps a group present while any of its connections is live, and lists the expired ones in its leave", async () => {
    const { presence } = await open();
    for (const [connectionId, ttlMs] of [
      ["t1", 60_000],
      ["t2", 60_000],
      ["t3", 600_000],
    ] as const) {
      await presence.join("doc", { memberId: "user-1", connectionId, ttlMs, origin: "i1" });
    }
    expect(await presence.sweepExpired("doc", "i1", LATER(120_000))).toEqual([]);
    expect((await presence.snapshot("doc")).members[0]?.connectionIds).toEqual(["t3"]);
    await presence.join("doc", { memberId: "user-1", connectionId: "t4", ttlMs: 60_000, origin: "i1" });
    const [leave, ...more] = await presence.sweepExpired("doc", "i1", LATER(1_200_000));
    expect(more).toEqual([]);
    expect(leave?.type).toBe("leave");
    expect([...(leave?.connectionIds ?? [])].sort()).toEqual(["t3", "t4"]);
  });

  it("turns an expiring state into exactly one `state: null`", async () => {
    const state = await open();
    const watcher = await watchPresence(state, "r");
    const { presence } = state;
    await presence.join("r", { memberId: "c1", connectionId: "c1", ttlMs: HOUR, origin: "i1" });
    await presence.publishState("r", { memberId: "c1", state: "typing", expireAfterMs: 60_000, origin: "i1" });
    expect(await presence.sweepExpired("r", "i1", LATER(30_000))).toEqual([]);
    const swept = await presence.sweepExpired("r", "i1", LATER(120_000));
    expect(swept.map((event) => [event.type, event.memberId, event.state])).toEqual([["state", "c1", null]]);
    expect(await presence.sweepExpired("r", "i1", LATER(120_000))).toEqual([]);
    expect((await presence.snapshot("r")).states).toEqual({});
    // A state set again without an expiry no longer expires.
    await presence.publishState("r", { memberId: "c1", state: "here", origin: "i1" });
    expect(await presence.sweepExpired("r", "i1", LATER(HOUR / 2))).toEqual([]);
    const events = await watcher.received(4);
    expect(events.map((event) => event.state)).toEqual([undefined, "typing", null, "here"]);
    await watcher.close();
  });

  it("keeps a refreshed connection present and reports the ones that are gone", async () => {
    const { presence } = await open();
    await presence.join("a", { memberId: "c1", connectionId: "c1", ttlMs: 60_000, origin: "i1" });
    await presence.join("b", { memberId: "c1", connectionId: "c1", ttlMs: 60_000, origin: "i1" });
    const missing = await presence.refresh(
      [
        { room: "a", connectionId: "c1" },
        { room: "b", connectionId: "c1" },
        { room: "a", connectionId: "gone" },
      ],
      HOUR,
    );
    expect(missing).toEqual([{ room: "a", connectionId: "gone" }]);
    expect(await presence.sweepExpired("a", "i1", LATER(120_000))).toEqual([]);
    expect(await presence.sweepExpired("b", "i1", LATER(120_000))).toEqual([]);
    expect((await presence.sweepExpired("a", "i1", LATER(2 * HOUR))).map((event) => event.type)).toEqual(["leave"]);
    expect(await presence.refresh([{ room: "a", connectionId: "c1" }], HOUR)).toEqual([
      { room: "a", connectionId: "c1" },
    ]);
    expect(await presence.refresh([], HOUR)).toEqual([]);
  });

  it("announces each leave and each expired state once when two instances sweep at the same time", async () => {
    const prefix = sharedPrefix();
    const [one, two] = [await open(prefix), await open(prefix)];
    const watcher = await watchPresence(one, "crowd");
    let expected = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) {
        const memberId = `r${round}-m${i}`;
        const state = i % 2 === 0 ? one : two;
        await state.presence.join("crowd", { memberId, connectionId: memberId, ttlMs: 60_000, origin: "i" });
        await state.presence.publishState("crowd", { memberId, state: i, expireAfterMs: 30_000, origin: "i" });
      }
      expected += 10;
      const now = LATER(120_000);
      const sweeps = await Promise.all([
        one.presence.sweepExpired("crowd", "one", now),
        two.presence.sweepExpired("crowd", "two", now),
      ]);
      const swept = sweeps.flat();
      const leaves = swept.filter((event) => event.type === "leave").map((event) => event.memberId);
      expect(leaves.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `r${round}-m${i}`));
      // The members left with their states, so no expired state is announced as well.
      expect(swept.filter((event) => event.type === "state")).toEqual([]);
      expected += 5;
    }
    const events = await watcher.received(expected);
    const leaves = events.filter((event) => event.type === "leave").map((event) => event.memberId);
    expect(new Set(leaves).size).toBe(100);
    expect(leaves).toHaveLength(100);
    await watcher.close();
  });
});
