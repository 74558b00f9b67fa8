import { describe, expect, it } from "vitest";
import { IMPLEMENTATIONS, openStates, waitUntil } from "./implementations";

describe.each(IMPLEMENTATIONS)("MeshBus contract: %s", (_name, createState) => {
  const open = openStates(createState);

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
});
