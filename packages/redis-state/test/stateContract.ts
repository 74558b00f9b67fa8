import { afterEach, describe, expect, it } from "vitest";
import type { MeshState } from "../src/index";

/**
 * The behaviour every {@link MeshState} implementation must show. Each implementation's test file calls
 * this with a factory that returns a fresh, isolated store (its own key prefix for Redis).
 */
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
      await expect(state.unregisterConnection("never-registered")).resolves.toBeUndefined();
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

    it("moves a connection registered again to its new instance", async () => {
      const state = await open();
      await state.registerConnection("c1", "i1");
      await state.registerConnection("c1", "i2");
      expect(await state.instanceOf("c1")).toBe("i2");
      expect(await state.connectionsOf("i1")).toEqual([]);
    });
  });
}
