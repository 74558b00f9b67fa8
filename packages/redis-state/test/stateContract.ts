import { afterEach, describe, expect, it } from "vitest";
import { type MeshState, type RecordCommit, type RecordWrite, readRecordBusMessage } from "../src/index";

/** A plain compare-and-set write through `commitRecord`, by writer `w1` unless told otherwise. */
function commit(
  state: MeshState,
  recordId: string,
  expectedVersion: number,
  json: string,
  changeHead: string,
  expectedIncarnation?: string,
  more: Partial<RecordWrite> = {},
): Promise<RecordCommit> {
  return state.commitRecord({ recordId, expectedVersion, json, changeHead, writer: "w1", expectedIncarnation, ...more });
}


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

    it("stores channel messages with gap-free offsets and keeps exactly the last `history`", async () => {
      const state = await open();
      expect(await state.channelPosition("chat")).toBeNull();
      const positions = [];
      for (let i = 1; i <= 5; i++) positions.push(await state.publishToChannel("chat", JSON.stringify(`m${i}`), 3, "i1"));
      expect(positions.map((p) => p?.offset)).toEqual([1, 2, 3, 4, 5]);
      expect(new Set(positions.map((p) => p?.epoch)).size).toBe(1);
      expect(await state.channelHistory("chat", 10)).toEqual(['"m5"', '"m4"', '"m3"']);
      expect(await state.channelHistory("chat", 2)).toEqual(['"m5"', '"m4"']);
      expect(await state.channelPosition("chat")).toEqual(positions[4]);
      expect(await state.publishToChannel("chat", '"live"', 0, "i1")).toBeNull();
      expect(await state.channelHistory("chat", 10)).toHaveLength(3);
    });

    it("recovers exactly the messages after a position, or says it cannot", async () => {
      const state = await open();
      for (let i = 1; i <= 6; i++) await state.publishToChannel("feed", JSON.stringify({ i }), 4, "i1");
      const position = await state.channelPosition("feed");
      const epoch = position?.epoch ?? "";
      expect(await state.channelSince("feed", { epoch, offset: 4 }, 100)).toEqual({
        recovered: true,
        missed: [
          { offset: 5, json: '{"i":5}' },
          { offset: 6, json: '{"i":6}' },
        ],
      });
      expect(await state.channelSince("feed", { epoch, offset: 6 }, 100)).toEqual({ recovered: true, missed: [] });
      // Offset 2 was trimmed away: messages 2 and 3 are gone, so nothing is replayed.
      expect(await state.channelSince("feed", { epoch, offset: 1 }, 100)).toEqual({ recovered: false, missed: [] });
      expect(await state.channelSince("feed", { epoch: "another", offset: 5 }, 100)).toEqual({ recovered: false, missed: [] });
      expect(await state.channelSince("feed", { epoch, offset: 3 }, 2)).toEqual({ recovered: false, missed: [] });
      expect(await state.channelSince("never", { epoch, offset: 3 }, 2)).toEqual({ recovered: false, missed: [] });
    });

    it("reads a channel's position, history and missed messages as one snapshot", async () => {
      const state = await open();
      expect(await state.channelSnapshot("none", { historyLimit: 5, max: 10 })).toEqual({ position: null, history: [] });
      for (let i = 1; i <= 5; i++) await state.publishToChannel("snap", JSON.stringify(i), 10, "i1");
      const position = await state.channelPosition("snap");
      expect(await state.channelSnapshot("snap", { historyLimit: 2, max: 10 })).toEqual({ position, history: ["5", "4"] });
      expect(await state.channelSnapshot("snap", { historyLimit: 0, max: 10 })).toEqual({ position, history: [] });
      const since = { epoch: position?.epoch ?? "", offset: 3 };
      expect(await state.channelSnapshot("snap", { historyLimit: 0, since, max: 10 })).toEqual({
        position,
        history: [],
        recovery: { recovered: true, missed: [{ offset: 4, json: "4" }, { offset: 5, json: "5" }] },
      });
    });

    it("publishes channel messages on the channel's topic, with their position", async () => {
      const state = await open();
      const bus = state.createBus();
      try {
        const got: string[] = [];
        await bus.subscribe({ kind: "channel", channel: "news:1" }, (m) => got.push(m));
        const position = await state.publishToChannel("news:1", '"stored"', 5, "origin-1");
        await state.publishToChannel("news:1", '"live"', 0, "origin-1");
        await state.publishToChannel("news:2", '"other"', 0, "origin-1");
        await waitUntil(async () => got.length === 2);
        const read = (message = "") => {
          const newline = message.indexOf("\n");
          return { header: JSON.parse(message.slice(0, newline)), json: message.slice(newline + 1) };
        };
        expect(read(got[0])).toEqual({
          header: { t: "channel", o: "origin-1", n: position?.offset, e: position?.epoch },
          json: '"stored"',
        });
        expect(read(got[1])).toEqual({ header: { t: "channel", o: "origin-1" }, json: '"live"' });
      } finally {
        await bus.close();
      }
    });

    it("versions records with compare-and-set: one writer per version, value and version together", async () => {
      const state = await open();
      expect(await state.getRecord("doc")).toEqual({ json: null, version: 0, incarnation: "" });
      const created = await commit(state, "doc", 0, '{"a":1}', "m1");
      expect(created).toMatchObject({ ok: true, version: 1 });
      expect(created.incarnation).not.toBe("");
      const racing = await Promise.all([
        commit(state, "doc", 1, '{"a":2}', "m2"),
        commit(state, "doc", 1, '{"a":3}', "m3"),
      ]);
      expect(racing.filter((commit) => commit.ok)).toHaveLength(1);
      expect(racing.find((commit) => !commit.ok)).toEqual({ ok: false, version: 2, incarnation: created.incarnation });
      const winner = racing[0]?.ok ? '{"a":2}' : '{"a":3}';
      expect(await state.getRecord("doc")).toEqual({ json: winner, version: 2, incarnation: created.incarnation });
      expect(await commit(state, "doc", 5, "{}", "m")).toMatchObject({ ok: false, version: 2 });
    });

    it("refuses a write against an earlier life of a record deleted and re-created at the same version", async () => {
      const state = await open();
      const first = await commit(state, "life", 0, "1", "m");
      await state.deleteRecord("life", "origin");
      const second = await commit(state, "life", 0, "2", "m");
      expect(second).toMatchObject({ ok: true, version: 1 });
      expect(second.incarnation).not.toBe(first.incarnation);
      expect(await commit(state, "life", 1, "3", "m", first.incarnation)).toMatchObject({ ok: false, version: 1 });
      expect(await commit(state, "life", 1, "3", "m", second.incarnation)).toMatchObject({ ok: true, version: 2 });
    });

    it("refuses a write sent behind the writer's own previous one when that one was refused", async () => {
      const state = await open();
      await commit(state, "chain", 0, "1", "h", undefined, { writer: "a" });
      // b wrote version 2; a's write for version 2 is refused, and a's next write, which builds on it, must be too.
      expect(await commit(state, "chain", 1, "2", "h", undefined, { writer: "b" })).toMatchObject({ ok: true, version: 2 });
      expect(await commit(state, "chain", 1, "3", "h", undefined, { writer: "a", afterOwnWrite: true })).toMatchObject({ ok: false });
      expect(await commit(state, "chain", 2, "4", "h", undefined, { writer: "a", afterOwnWrite: true })).toMatchObject({ ok: false, version: 2 });
      expect(await commit(state, "chain", 2, "4", "h", undefined, { writer: "b", afterOwnWrite: true })).toMatchObject({ ok: true, version: 3 });
      expect(await commit(state, "chain", 3, "5", "h", undefined, { writer: "a" })).toMatchObject({ ok: true, version: 4 });
      expect(await state.getRecord("chain")).toMatchObject({ json: "5", version: 4 });
    });

    it("publishes each committed change and each deletion on the record's topic, in version order", async () => {
      const state = await open();
      const bus = state.createBus();
      try {
        const got: string[] = [];
        await bus.subscribe({ kind: "record", recordId: "r:1" }, (m) => got.push(m));
        await commit(state, "r:1", 0, "1", "change-1");
        await commit(state, "r:1", 0, "1", "refused");
        await commit(state, "r:1", 1, "2", "change-2");
        expect(await state.deleteRecord("r:1", "origin")).toBe(2);
        expect(await state.deleteRecord("r:1", "origin")).toBe(0);
        await waitUntil(async () => got.length === 3);
        // The store appends the value it stores to the writer's head, so the value crosses to Redis once.
        expect(got.slice(0, 2)).toEqual(["change-1\n1", "change-2\n2"]);
        expect(readRecordBusMessage(got[2] ?? "")).toEqual({
          header: { t: "record", o: "origin", v: 2, del: true },
          patchJson: "[]",
          valueJson: "null",
        });
        expect(await state.getRecord("r:1")).toEqual({ json: null, version: 0, incarnation: "" });
      } finally {
        await bus.close();
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
