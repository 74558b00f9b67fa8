import { afterEach, describe, expect, it } from "vitest";
import type { MeshState } from "../src/index";

/**
 * The behaviour every {@link MeshState} implementation must show. Each implementation's test file calls
 * this with a factory that returns a fresh, isolated store (its own key prefix for Redis).
 */
/** Polls a condition until it holds, failing after a deadline. */
export async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function describeStateContract(name: string, createState: () => Promise<MeshState>): void {
  describe(`MeshState contract: ${name}`, () => {
    const opened: MeshState[] = [];
    const open = async (): Promise<MeshState> => {
      const state = await createState();
      opened.push(state);
      return state;
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((state) => state.close()));
    });

    it("routes a registered connection to its instance and forgets it on unregister", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.registerConnection("c2", "i1");
      await state.registerConnection("c3", "i2");
      expect(await state.instanceOf("c1")).toBe("i1");
      expect((await state.connectionsOf("i1")).sort()).toEqual(["c1", "c2"]);
      expect(await state.connectionsOf("i2")).toEqual(["c3"]);
      await state.unregisterConnection("c1");
      expect(await state.instanceOf("c1")).toBeNull();
      expect(await state.connectionsOf("i1")).toEqual(["c2"]);
      await expect(state.unregisterConnection("never-registered")).resolves.toEqual([]);
    });

    it("keeps metadata apart from routing", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.setConnectionMetadata("c1", { userId: "u1", instanceId: "not-a-route" });
      expect(await state.instanceOf("c1")).toBe("i1");
      expect(await state.getConnectionMetadata("c1")).toEqual({ userId: "u1", instanceId: "not-a-route" });
    });

    it("replaces metadata on set and returns copies", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.setConnectionMetadata("c1", { a: 1, b: 2 });
      await state.setConnectionMetadata("c1", { a: 3 });
      const read = await state.getConnectionMetadata("c1");
      expect(read).toEqual({ a: 3 });
      (read as Record<string, unknown>).a = 99;
      expect(await state.getConnectionMetadata("c1")).toEqual({ a: 3 });
    });

    it("answers null for connections without metadata or unknown ids", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      expect(await state.getConnectionMetadata("c1")).toBeNull();
      expect(await state.getConnectionMetadata("nobody")).toBeNull();
    });

    it("refuses metadata for an unregistered connection", async () => {
      const state = await open();
      await expect(state.setConnectionMetadata("ghost", { a: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it("lists every connection with its metadata, null where none was set", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.registerConnection("c2", "i2");
      await state.setConnectionMetadata("c1", { userId: "u1" });
      const all = await state.getAllConnectionMetadata();
      expect(all).toHaveLength(2);
      expect(all).toEqual(expect.arrayContaining([{ c1: { userId: "u1" } }, { c2: null }]));
    });

    it("drops metadata together with the connection", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.setConnectionMetadata("c1", { userId: "u1" });
      await state.unregisterConnection("c1");
      expect(await state.getConnectionMetadata("c1")).toBeNull();
      expect(await state.getAllConnectionMetadata()).toEqual([]);
    });

    it("adds to and removes from rooms in both directions", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.registerConnection("c2", "i1");
      expect(await state.addToRoom("lobby", "c1")).toBe(true);
      expect(await state.addToRoom("lobby", "c1")).toBe(false);
      await state.addToRoom("lobby", "c2");
      await state.addToRoom("games", "c1");
      expect((await state.getRoomMembers("lobby")).sort()).toEqual(["c1", "c2"]);
      expect((await state.roomsOf("c1")).sort()).toEqual(["games", "lobby"]);
      expect(await state.isInRoom("lobby", "c2")).toBe(true);
      expect(await state.removeFromRoom("lobby", "c2")).toBe(true);
      expect(await state.removeFromRoom("lobby", "c2")).toBe(false);
      expect(await state.isInRoom("lobby", "c2")).toBe(false);
      expect((await state.removeFromAllRooms("c1")).sort()).toEqual(["games", "lobby"]);
      expect(await state.getRoomMembers("lobby")).toEqual([]);
      expect(await state.roomsOf("c1")).toEqual([]);
    });

    it("refuses to put an unregistered connection in a room", async () => {
      const state = await open();
      await expect(state.addToRoom("lobby", "ghost")).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await state.getRoomMembers("lobby")).toEqual([]);
    });

    it("takes a connection out of every room when it is unregistered", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.addToRoom("a", "c1");
      await state.addToRoom("b:with:colons", "c1");
      expect((await state.unregisterConnection("c1")).sort()).toEqual(["a", "b:with:colons"]);
      expect(await state.getRoomMembers("a")).toEqual([]);
      expect(await state.getRoomMembers("b:with:colons")).toEqual([]);
    });

    it("keeps rooms apart whatever characters their names contain", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.registerConnection("c2", "i1");
      const names = ["a:b", "a%3Ab", "a{b}", "a b", "ä:ü", "*", "a:b:members"];
      for (const [index, room] of names.entries()) await state.addToRoom(room, index % 2 === 0 ? "c1" : "c2");
      for (const [index, room] of names.entries()) {
        expect(await state.getRoomMembers(room)).toEqual([index % 2 === 0 ? "c1" : "c2"]);
      }
    });

    it("clears a room: members leave and its metadata goes", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.addToRoom("lobby", "c1");
      await state.addToRoom("other", "c1");
      await state.setRoomMetadata("lobby", { topic: "t" });
      expect(await state.clearRoom("lobby")).toEqual(["c1"]);
      expect(await state.getRoomMembers("lobby")).toEqual([]);
      expect(await state.roomsOf("c1")).toEqual(["other"]);
      expect(await state.getRoomMetadata("lobby")).toBeNull();
      expect(await state.getAllRoomMetadata()).toEqual({});
    });

    it("sets, merges and lists room metadata", async () => {
      const state = await open();
      expect(await state.getRoomMetadata("lobby")).toBeNull();
      await state.setRoomMetadata("lobby", { topic: "General", maxUsers: 50, tags: [] });
      const merged = await state.updateRoomMetadata("lobby", { topic: "Updated", private: false });
      expect(merged).toEqual({ topic: "Updated", maxUsers: 50, tags: [], private: false });
      expect(await state.getRoomMetadata("lobby")).toEqual(merged);
      await state.setRoomMetadata("empty", {});
      expect(await state.getRoomMetadata("empty")).toEqual({});
      await state.setRoomMetadata("lobby", { only: 1 });
      expect(await state.getAllRoomMetadata()).toEqual({ lobby: { only: 1 }, empty: {} });
    });

    it("merges concurrent metadata updates without losing any", async () => {
      const state = await open();
      await Promise.all(Array.from({ length: 20 }, (_, i) => state.updateRoomMetadata("busy", { [`f${i}`]: i })));
      const meta = await state.getRoomMetadata("busy");
      expect(Object.keys(meta ?? {})).toHaveLength(20);
    });

    it("lists metadata of a room's members", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.registerConnection("c2", "i2");
      await state.registerConnection("c3", "i2");
      await state.setConnectionMetadata("c1", { userId: "u1" });
      await state.addToRoom("lobby", "c1");
      await state.addToRoom("lobby", "c2");
      const entries = await state.getConnectionMetadataForRoom("lobby");
      expect(entries).toHaveLength(2);
      expect(entries).toEqual(expect.arrayContaining([{ c1: { userId: "u1" } }, { c2: null }]));
      expect(await state.instancesOf(["c1", "c3", "ghost"])).toEqual(new Map([["c1", "i1"], ["c3", "i2"]]));
    });

    it("tracks instance heartbeats and reports a first or late beat", async () => {
      const state = await open();
      expect(await state.heartbeat("i1", 5_000)).toBe(false);
      expect(await state.heartbeat("i1", 5_000)).toBe(true);
      expect(await state.isInstanceAlive("i1")).toBe(true);
      expect(await state.listInstances()).toContain("i1");
      await state.heartbeat("short", 50);
      await waitUntil(async () => !(await state.isInstanceAlive("short")));
      expect(await state.heartbeat("short", 5_000)).toBe(false);
    });

    it("reaps an expired instance once: connections, rooms and metadata go", async () => {
      const state = await open();
      await state.heartbeat("dead", 50);
      await state.heartbeat("alive", 5_000);
      await state.registerConnection("d1", "dead");
      await state.registerConnection("d2", "dead");
      await state.registerConnection("a1", "alive");
      await state.setConnectionMetadata("d1", { userId: "u" });
      await state.addToRoom("lobby", "d1");
      await state.addToRoom("lobby", "a1");
      expect(await state.reapInstance("alive")).toBeNull();
      await waitUntil(async () => !(await state.isInstanceAlive("dead")));
      const [first, second] = await Promise.all([state.reapInstance("dead"), state.reapInstance("dead")]);
      const reaped = first ?? second;
      expect(first === null || second === null).toBe(true);
      expect(reaped?.map((entry) => entry.connectionId).sort()).toEqual(["d1", "d2"]);
      expect(reaped?.find((entry) => entry.connectionId === "d1")?.rooms).toEqual(["lobby"]);
      expect(await state.getRoomMembers("lobby")).toEqual(["a1"]);
      expect(await state.instanceOf("d1")).toBeNull();
      expect(await state.getConnectionMetadata("d1")).toBeNull();
      expect(await state.connectionsOf("dead")).toEqual([]);
      expect(await state.listInstances()).not.toContain("dead");
      expect(await state.instanceOf("a1")).toBe("alive");
    });

    it("reaps a live instance's state when forced, as on close", async () => {
      const state = await open();
      await state.heartbeat("me", 5_000);
      await state.registerConnection("m1", "me");
      await state.addToRoom("lobby", "m1");
      const reaped = await state.reapInstance("me", { force: true });
      expect(reaped).toEqual([{ connectionId: "m1", rooms: ["lobby"] }]);
      expect(await state.isInstanceAlive("me")).toBe(false);
      expect(await state.getRoomMembers("lobby")).toEqual([]);
    });

    it("carries bus messages to subscribers of a topic only, and stops after unsubscribe", async () => {
      const state = await open();
      const a = state.createBus();
      const b = state.createBus();
      try {
        const gotA: string[] = [];
        const gotB: string[] = [];
        await a.subscribe({ kind: "room", room: "lobby" }, (m) => gotA.push(m));
        await b.subscribe({ kind: "room", room: "lobby" }, (m) => gotB.push(m));
        await b.subscribe({ kind: "instance", instanceId: "b" }, (m) => gotB.push(`direct:${m}`));
        await a.publish({ kind: "room", room: "lobby" }, "one");
        await a.publish({ kind: "instance", instanceId: "b" }, "two");
        await waitUntil(async () => gotA.length === 1 && gotB.length === 2);
        expect(gotA).toEqual(["one"]);
        expect(gotB).toEqual(["one", "direct:two"]);
        await a.unsubscribe({ kind: "room", room: "lobby" });
        expect(a.subscribedChannels()).toEqual([]);
        await b.publish({ kind: "room", room: "lobby" }, "three");
        await waitUntil(async () => gotB.length === 3);
        expect(gotA).toEqual(["one"]);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("moves a connection registered again to its new instance", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.registerConnection("c1", "i2");
      expect(await state.instanceOf("c1")).toBe("i2");
      expect(await state.connectionsOf("i1")).toEqual([]);
    });
  });
}
