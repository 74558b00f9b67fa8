import { describe, expect, it } from "vitest";
import { IMPLEMENTATIONS, openStates } from "./implementations";

describe.each(IMPLEMENTATIONS)("ConnectionStore contract: %s", (_name, createState) => {
  const open = openStates(createState);

  it("routes a registered connection to its instance and forgets it on unregister", async () => {
    const { connections } = await open();
    await connections.register("c1", "i1");
    await connections.register("c2", "i1");
    await connections.register("c3", "i2");
    expect(await connections.instanceOf("c1")).toBe("i1");
    expect((await connections.connectionsOf("i1")).sort()).toEqual(["c1", "c2"]);
    expect(await connections.connectionsOf("i2")).toEqual(["c3"]);
    await connections.unregister("c1");
    expect(await connections.instanceOf("c1")).toBeNull();
    expect(await connections.connectionsOf("i1")).toEqual(["c2"]);
    await expect(connections.unregister("never-registered")).resolves.toEqual([]);
  });

  it("moves a connection registered again to its new instance", async () => {
    const { connections } = await open();
    await connections.register("c1", "i1");
    await connections.register("c1", "i2");
    expect(await connections.instanceOf("c1")).toBe("i2");
    expect(await connections.connectionsOf("i1")).toEqual([]);
  });

  it("keeps metadata apart from routing", async () => {
    const { connections } = await open();
    await connections.register("c1", "i1");
    await connections.setMetadata("c1", { userId: "u1", instanceId: "not-a-route" });
    expect(await connections.instanceOf("c1")).toBe("i1");
    expect(await connections.getMetadata("c1")).toEqual({ userId: "u1", instanceId: "not-a-route" });
  });

  it("replaces metadata on set and returns copies", async () => {
    const { connections } = await open();
    await connections.register("c1", "i1");
    await connections.setMetadata("c1", { a: 1, b: 2 });
    await connections.setMetadata("c1", { a: 3 });
    const read = await connections.getMetadata("c1");
    expect(read).toEqual({ a: 3 });
    (read as Record<string, unknown>).a = 99;
    expect(await connections.getMetadata("c1")).toEqual({ a: 3 });
  });

  it("answers null for connections without metadata or unknown ids", async () => {
    const { connections } = await open();
    await connections.register("c1", "i1");
    expect(await connections.getMetadata("c1")).toBeNull();
    expect(await connections.getMetadata("nobody")).toBeNull();
  });

  it("refuses metadata for an unregistered connection", async () => {
    const { connections } = await open();
    await expect(connections.setMetadata("ghost", { a: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("lists every connection with its metadata, null where none was set", async () => {
    const { connections } = await open();
    await connections.register("c1", "i1");
    await connections.register("c2", "i2");
    await connections.setMetadata("c1", { userId: "u1" });
    const all = await connections.getAllMetadata();
    expect(all).toHaveLength(2);
    expect(all).toEqual(expect.arrayContaining([{ c1: { userId: "u1" } }, { c2: null }]));
  });

  it("drops metadata together with the connection", async () => {
    const { connections } = await open();
    await connections.register("c1", "i1");
    await connections.setMetadata("c1", { userId: "u1" });
    await connections.unregister("c1");
    expect(await connections.getMetadata("c1")).toBeNull();
    expect(await connections.getAllMetadata()).toEqual([]);
  });

  it("takes a connection out of every room when it is unregistered", async () => {
    const { connections, rooms } = await open();
    await connections.register("c1", "i1");
    await rooms.addMember("a", "c1");
    await rooms.addMember("b:with:colons", "c1");
    expect((await connections.unregister("c1")).sort()).toEqual(["a", "b:with:colons"]);
    expect(await rooms.members("a")).toEqual([]);
    expect(await rooms.members("b:with:colons")).toEqual([]);
  });

  it("lists metadata of a room's members", async () => {
    const { connections, rooms } = await open();
    await connections.register("c1", "i1");
    await connections.register("c2", "i2");
    await connections.register("c3", "i2");
    await connections.setMetadata("c1", { userId: "u1" });
    await rooms.addMember("lobby", "c1");
    await rooms.addMember("lobby", "c2");
    const entries = await connections.getMetadataForRoom("lobby");
    expect(entries).toHaveLength(2);
    expect(entries).toEqual(expect.arrayContaining([{ c1: { userId: "u1" } }, { c2: null }]));
    expect(await connections.instancesOf(["c1", "c3", "ghost"])).toEqual(
      new Map([
        ["c1", "i1"],
        ["c3", "i2"],
      ]),
    );
  });
});
