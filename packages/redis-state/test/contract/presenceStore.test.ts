import { describe, expect, it } from "vitest";
import { type PresenceEvent, isAfterPosition } from "../../src/index";
import { IMPLEMENTATIONS, openStates } from "./implementations";
import { HOUR, sharedPrefix, watchPresence } from "./presenceWatcher";

/** The parts of an event a test compares (positions are checked on their own). */
const shape = (event: PresenceEvent | null) =>
  event && {
    type: event.type,
    memberId: event.memberId,
    connectionIds: event.connectionIds,
    metadata: event.metadata,
    state: event.state,
  };

describe.each(IMPLEMENTATIONS)("PresenceStore contract: %s", (_name, createState) => {
  const open = openStates(createState);

  it("announces one join and one leave per connection member, on the room's topic", async () => {
    const state = await open();
    const watcher = await watchPresence(state, "lobby:{1}");
    const { presence } = state;
    const join = { memberId: "c1", connectionId: "c1", metadata: { name: "Ada" }, ttlMs: HOUR, origin: "i1" };
    expect(shape(await presence.join("lobby:{1}", join))).toEqual({
      type: "join",
      memberId: "c1",
      connectionIds: ["c1"],
      metadata: { name: "Ada" },
      state: undefined,
    });
    expect(await presence.join("lobby:{1}", join)).toBeNull();
    expect((await presence.leave("lobby:{1}", "c1", "i1"))?.type).toBe("leave");
    expect(await presence.leave("lobby:{1}", "c1", "i1")).toBeNull();
    expect(await presence.leave("lobby:{1}", "never", "i1")).toBeNull();
    const events = await watcher.received(2);
    expect(events.map((event) => [event.type, event.room, event.memberId])).toEqual([
      ["join", "lobby:{1}", "c1"],
      ["leave", "lobby:{1}", "c1"],
    ]);
    expect((await presence.snapshot("lobby:{1}")).members).toEqual([]);
    await watcher.close();
  });

  it("makes one member of a group's three connections: one join, one leave after the last", async () => {
    const state = await open();
    const watcher = await watchPresence(state, "doc");
    const { presence } = state;
    const tab = (connectionId: string) => ({ memberId: "user-1", connectionId, metadata: { tab: connectionId } });
    expect((await presence.join("doc", { ...tab("t1"), ttlMs: HOUR, origin: "i1" }))?.type).toBe("join");
    expect(await presence.join("doc", { ...tab("t2"), ttlMs: HOUR, origin: "i2" })).toBeNull();
    expect(await presence.join("doc", { ...tab("t3"), ttlMs: HOUR, origin: "i1" })).toBeNull();
    const snapshot = await presence.snapshot("doc");
    expect(snapshot.members).toEqual([
      { memberId: "user-1", connectionIds: ["t1", "t2", "t3"], metadata: { tab: "t1" } },
    ]);
    expect(await presence.leave("doc", "t2", "i2")).toBeNull();
    expect(await presence.leave("doc", "t1", "i1")).toBeNull();
    expect(shape(await presence.leave("doc", "t3", "i1"))).toMatchObject({ type: "leave", connectionIds: ["t3"] });
    expect((await watcher.received(2)).map((event) => event.type)).toEqual(["join", "leave"]);
    await watcher.close();
  });

  it("refuses a connection that is present as another member", async () => {
    const { presence } = await open();
    await presence.join("r", { memberId: "u1", connectionId: "c1", ttlMs: HOUR, origin: "i1" });
    await expect(
      presence.join("r", { memberId: "u2", connectionId: "c1", ttlMs: HOUR, origin: "i1" }),
    ).rejects.toMatchObject({
      code: "INVALID_PAYLOAD",
    });
    expect((await presence.snapshot("r")).members.map((member) => member.memberId)).toEqual(["u1"]);
  });

  it("sets and clears states only of present members, and drops a state with its member", async () => {
    const state = await open();
    const watcher = await watchPresence(state, "r");
    const { presence } = state;
    expect(await presence.publishState("r", { memberId: "c1", state: { typing: true }, origin: "i1" })).toBeNull();
    await presence.join("r", { memberId: "c1", connectionId: "c1", ttlMs: HOUR, origin: "i1" });
    const set = await presence.publishState("r", { memberId: "c1", state: { typing: true }, origin: "i1" });
    expect(shape(set)).toMatchObject({ type: "state", memberId: "c1", state: { typing: true } });
    expect((await presence.snapshot("r")).states).toEqual({ c1: { typing: true } });
    expect(shape(await presence.clearState("r", "c1", "i1"))).toMatchObject({ type: "state", state: null });
    expect(await presence.clearState("r", "c1", "i1")).toBeNull();
    await presence.publishState("r", { memberId: "c1", state: [1, "two", { three: [] }], origin: "i1" });
    await presence.leave("r", "c1", "i1");
    expect(await presence.snapshot("r")).toMatchObject({ members: [], states: {} });
    expect(await presence.publishState("r", { memberId: "c1", state: 1, origin: "i1" })).toBeNull();
    const events = await watcher.received(5);
    expect(events.map((event) => [event.type, event.state])).toEqual([
      ["join", undefined],
      ["state", { typing: true }],
      ["state", null],
      ["state", [1, "two", { three: [] }]],
      ["leave", undefined],
    ]);
    await watcher.close();
  });

  it("numbers events so that a snapshot tells every earlier event from every later one", async () => {
    const state = await open();
    const { presence } = state;
    const empty = await presence.snapshot("room");
    expect(empty).toMatchObject({ members: [], states: {} });
    const before: PresenceEvent[] = [];
    for (const id of ["a", "b", "c"]) {
      const event = await presence.join("room", {
        memberId: id,
        connectionId: id,
        metadata: id,
        ttlMs: HOUR,
        origin: "i1",
      });
      if (event) before.push(event);
    }
    const snapshot = await presence.snapshot("room");
    expect(snapshot.members.map((member) => member.memberId)).toEqual(["a", "b", "c"]);
    const after = [
      await presence.publishState("room", { memberId: "a", state: "busy", origin: "i1" }),
      await presence.leave("room", "b", "i1"),
    ];
    const first = before[0]?.seq ?? 0;
    expect(before.map((event) => event.seq)).toEqual([first, first + 1, first + 2]);
    for (const event of before) {
      expect(isAfterPosition(event, empty)).toBe(true);
      expect(isAfterPosition(event, snapshot)).toBe(false);
    }
    for (const event of after) expect(event && isAfterPosition(event, snapshot)).toBe(true);
    expect(after[1]?.seq).toBe((after[0]?.seq ?? 0) + 1);
  });

  it("delivers every event of concurrent changes from two instances once, in position order", async () => {
    const prefix = sharedPrefix();
    const [one, two] = [await open(prefix), await open(prefix)];
    const watchers = [await watchPresence(one, "busy"), await watchPresence(two, "busy")];
    const work = [one, two].map(async (state, index) => {
      const produced: PresenceEvent[] = [];
      for (let i = 0; i < 15; i++) {
        const memberId = `m${index}-${i}`;
        const join = { memberId, connectionId: memberId, ttlMs: HOUR, origin: `i${index}` };
        const events = [
          await state.presence.join("busy", join),
          await state.presence.publishState("busy", { memberId, state: i, origin: `i${index}` }),
          i % 2 === 0 ? await state.presence.leave("busy", memberId, `i${index}`) : null,
        ];
        for (const event of events) if (event) produced.push(event);
      }
      return produced;
    });
    const produced = (await Promise.all(work)).flat();
    expect(produced).toHaveLength(2 * (15 * 2 + 8));
    for (const watcher of watchers) {
      const events = await watcher.received(produced.length);
      const positions = events.map((event) => event.seq);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(positions.length);
      expect(new Set(events.map((event) => event.epoch)).size).toBe(1);
      expect([...events].sort((a, b) => a.seq - b.seq)).toEqual([...produced].sort((a, b) => a.seq - b.seq));
      await watcher.close();
    }
    const snapshot = await one.presence.snapshot("busy");
    expect(snapshot.seq).toBe(Math.max(...produced.map((event) => event.seq)));
    const present = snapshot.members.map((member) => member.memberId);
    expect(present).toHaveLength(2 * 7);
    expect(present).toEqual([...present].sort());
  });

  it("lists the rooms with presence until a sweep finds them empty", async () => {
    const { presence } = await open();
    await presence.join("x", { memberId: "c1", connectionId: "c1", ttlMs: HOUR, origin: "i1" });
    await presence.join("y", { memberId: "c2", connectionId: "c2", ttlMs: HOUR, origin: "i1" });
    expect((await presence.roomsWithPresence()).sort()).toEqual(["x", "y"]);
    await presence.leave("x", "c1", "i1");
    expect(await presence.sweepExpired("x", "i1")).toEqual([]);
    expect(await presence.sweepExpired("y", "i1")).toEqual([]);
    expect(await presence.roomsWithPresence()).toEqual(["y"]);
  });
});
