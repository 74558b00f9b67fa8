import { describe, expect, it } from "vitest";
import { IMPLEMENTATIONS, openStates, waitUntil } from "./implementations";

describe.each(IMPLEMENTATIONS)("InstanceStore contract: %s", (_name, createState) => {
  const open = openStates(createState);

  it("tracks instance heartbeats and reports a first or late beat", async () => {
    const { instances } = await open();
    expect(await instances.heartbeat("i1", 5_000)).toBe(false);
    expect(await instances.heartbeat("i1", 5_000)).toBe(true);
    expect(await instances.isAlive("i1")).toBe(true);
    expect(await instances.list()).toContain("i1");
    await instances.heartbeat("short", 50);
    await waitUntil(async () => !(await instances.isAlive("short")));
    expect(await instances.heartbeat("short", 5_000)).toBe(false);
  });

  it("keeps the generation the first caller wrote, for every later caller and every instance on the store", async () => {
    const { instances } = await open();
    expect(await instances.generation("first")).toBe("first");
    expect(await instances.generation("second")).toBe("first");
    expect(await instances.generation("third")).toBe("first");
  });

  it("does nothing for an instance that left cleanly, even to a survivor that listed it before it left", async () => {
    const { instances, connections } = await open();
    await instances.heartbeat("leaving", 5_000);
    await connections.register("l1", "leaving");
    expect(await instances.list()).toContain("leaving");
    expect((await instances.reap("leaving", { force: true }))?.map((entry) => entry.connectionId)).toEqual(["l1"]);
    expect(await instances.reap("leaving")).toBeNull();
    expect(await instances.list()).not.toContain("leaving");
  });

  it("reaps an expired instance once: connections, rooms and metadata go", async () => {
    const { instances, connections, rooms } = await open();
    await instances.heartbeat("dead", 50);
    await instances.heartbeat("alive", 5_000);
    await connections.register("d1", "dead");
    await connections.register("d2", "dead");
    await connections.register("a1", "alive");
    await connections.setMetadata("d1", { userId: "u" });
    await rooms.addMember("lobby", "d1");
    await rooms.addMember("lobby", "a1");
    expect(await instances.reap("alive")).toBeNull();
    await waitUntil(async () => !(await instances.isAlive("dead")));
    const [first, second] = await Promise.all([instances.reap("dead"), instances.reap("dead")]);
    const reaped = first ?? second;
    expect(first === null || second === null).toBe(true);
    expect(reaped?.map((entry) => entry.connectionId).sort()).toEqual(["d1", "d2"]);
    expect(reaped?.find((entry) => entry.connectionId === "d1")?.rooms).toEqual(["lobby"]);
    expect(await rooms.members("lobby")).toEqual(["a1"]);
    expect(await connections.instanceOf("d1")).toBeNull();
    expect(await connections.getMetadata("d1")).toBeNull();
    expect(await connections.connectionsOf("dead")).toEqual([]);
    expect(await instances.list()).not.toContain("dead");
    expect(await connections.instanceOf("a1")).toBe("alive");
  });

  it("reaps a live instance's state when forced, as on close", async () => {
    const { instances, connections, rooms } = await open();
    await instances.heartbeat("me", 5_000);
    await connections.register("m1", "me");
    await rooms.addMember("lobby", "m1");
    const reaped = await instances.reap("me", { force: true });
    expect(reaped).toEqual([{ connectionId: "m1", rooms: ["lobby"] }]);
    expect(await instances.isAlive("me")).toBe(false);
    expect(await rooms.members("lobby")).toEqual([]);
  });
});
