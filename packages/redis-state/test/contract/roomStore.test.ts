import { describe, expect, it } from "vitest";
import { IMPLEMENTATIONS, openStates } from "./implementations";

describe.each(IMPLEMENTATIONS)("RoomStore contract: %s", (_name, createState) => {
  const open = openStates(createState);

  it("adds to and removes from rooms in both directions", async () => {
    const { connections, rooms } = await open();
    await connections.register("c1", "i1");
    await connections.register("c2", "i1");
    expect(await rooms.addMember("lobby", "c1")).toBe(true);
    expect(await rooms.addMember("lobby", "c1")).toBe(false);
    await rooms.addMember("lobby", "c2");
    await rooms.addMember("games", "c1");
    expect((await rooms.members("lobby")).sort()).toEqual(["c1", "c2"]);
    expect(await rooms.isMember("lobby", "c2")).toBe(true);
    expect(await rooms.removeMember("lobby", "c2")).toBe(true);
    expect(await rooms.removeMember("lobby", "c2")).toBe(false);
    expect(await rooms.isMember("lobby", "c2")).toBe(false);
    // The connection's own list of rooms (the other direction) is what removeFromAll reads and empties.
    expect((await rooms.removeFromAll("c1")).sort()).toEqual(["games", "lobby"]);
    expect(await rooms.members("lobby")).toEqual([]);
    expect(await rooms.removeFromAll("c1")).toEqual([]);
    expect(await connections.unregister("c2")).toEqual([]);
  });

  it("refuses to put an unregistered connection in a room", async () => {
    const { rooms } = await open();
    await expect(rooms.addMember("lobby", "ghost")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await rooms.members("lobby")).toEqual([]);
  });

  it("keeps rooms apart whatever characters their names contain", async () => {
    const { connections, rooms } = await open();
    await connections.register("c1", "i1");
    await connections.register("c2", "i1");
    const names = ["a:b", "a%3Ab", "a{b}", "a b", "ä:ü", "*", "a:b:members"];
    for (const [index, room] of names.entries()) await rooms.addMember(room, index % 2 === 0 ? "c1" : "c2");
    for (const [index, room] of names.entries()) {
      expect(await rooms.members(room)).toEqual([index % 2 === 0 ? "c1" : "c2"]);
    }
  });

  it("clears a room: members leave and its metadata goes", async () => {
    const { connections, rooms } = await open();
    await connections.register("c1", "i1");
    await rooms.addMember("lobby", "c1");
    await rooms.addMember("other", "c1");
    await rooms.setMetadata("lobby", { topic: "t" });
    expect(await rooms.clear("lobby")).toEqual(["c1"]);
    expect(await rooms.members("lobby")).toEqual([]);
    expect(await rooms.getMetadata("lobby")).toBeNull();
    expect(await rooms.getAllMetadata()).toEqual({});
    // The member's own list of rooms lost the cleared room too.
    expect(await connections.unregister("c1")).toEqual(["other"]);
  });

  it("sets, merges and lists room metadata", async () => {
    const { rooms } = await open();
    expect(await rooms.getMetadata("lobby")).toBeNull();
    await rooms.setMetadata("lobby", { topic: "General", maxUsers: 50, tags: [] });
    const merged = await rooms.updateMetadata("lobby", { topic: "Updated", private: false });
    expect(merged).toEqual({ topic: "Updated", maxUsers: 50, tags: [], private: false });
    expect(await rooms.getMetadata("lobby")).toEqual(merged);
    await rooms.setMetadata("empty", {});
    expect(await rooms.getMetadata("empty")).toEqual({});
    await rooms.setMetadata("lobby", { only: 1 });
    expect(await rooms.getAllMetadata()).toEqual({ lobby: { only: 1 }, empty: {} });
  });

  it("merges concurrent metadata updates without losing any", async () => {
    const { rooms } = await open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => rooms.updateMetadata("busy", { [`f${i}`]: i })));
    const meta = await rooms.getMetadata("busy");
    expect(Object.keys(meta ?? {})).toHaveLength(20);
  });
});
