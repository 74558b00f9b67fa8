import { type MeshBus, MemoryState, createKeys } from "@meshwork/redis-state";
import { describe, expect, it } from "vitest";
import { ConnectionRegistry } from "../connectionRegistry";
import { ClusterNode } from "./clusterNode";

/** A memory store whose room subscriptions complete only when the test opens the gate: a slow Redis, on demand. */
function gatedState(): { state: MemoryState; open: () => void } {
  const state = new MemoryState("unit:");
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const createBus = state.createBus.bind(state);
  state.createBus = (): MeshBus => {
    const bus = createBus();
    const subscribe = bus.subscribe.bind(bus);
    bus.subscribe = async (topic, handler) => {
      if (topic.kind === "room") await gate;
      return subscribe(topic, handler);
    };
    return bus;
  };
  return { state, open };
}

describe("ClusterNode.joinLocal", () => {
  it("regression: a second local member's join resolves only once the room's subscription is active", async () => {
    // joinLocal promises that a room broadcast sent after it resolves reaches the member. The second member of
    // a room used to resolve at once, while the first member's subscription could still be under way.
    const { state, open } = gatedState();
    const node = new ClusterNode({
      state,
      instanceId: "i1",
      registry: new ConnectionRegistry(),
      timings: { heartbeatInterval: 1_000, instanceTtl: 3_000, clusterRequestTimeout: 1_000 },
      onInstanceDown: () => {},
      afterHeartbeat: async () => {},
      reportError: (error) => {
        throw error;
      },
    });
    const settled: string[] = [];
    const first = node.joinLocal("lobby", "c1").then(() => settled.push("c1"));
    const second = node.joinLocal("lobby", "c2").then(() => settled.push("c2"));
    // Several macrotask turns: ample for an unawaited promise to settle.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([]);

    open();
    await Promise.all([first, second]);
    expect(settled.sort()).toEqual(["c1", "c2"]);
    expect(node.subscribedChannels()).toContain(createKeys("unit:").busRoom("lobby"));
    await state.close();
  });
});
