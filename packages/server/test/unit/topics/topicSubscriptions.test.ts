import { type MeshBus, MemoryState, createKeys } from "@meshwork/redis-state";
import { describe, expect, it, vi } from "vitest";
import { TopicSubscriptions } from "../../../src/topics/topicSubscriptions";

/** A memory bus whose room subscriptions complete only when the test opens the gate: a slow Redis, on demand. */
function gatedBus(): { state: MemoryState; bus: MeshBus; open: () => void } {
  const state = new MemoryState("unit:");
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const bus = state.createBus();
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = async (topic, handler) => {
    if (topic.kind === "room") await gate;
    return subscribe(topic, handler);
  };
  return { state, bus, open };
}

/** Lets every unawaited promise settle: several macrotask turns. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("TopicSubscriptions", () => {
  it("regression: a second local member's join resolves only once the room's subscription is active", async () => {
    // add promises that a room broadcast sent after it resolves reaches the member. The second member of a room
    // used to resolve at once, while the first member's subscription could still be under way.
    const { state, bus, open } = gatedBus();
    const rooms = new TopicSubscriptions<true>(
      bus,
      (room) => ({ kind: "room", room }),
      () => {},
    );
    const settled: string[] = [];
    const first = rooms.add("lobby", "c1", true).then(() => settled.push("c1"));
    const second = rooms.add("lobby", "c2", true).then(() => settled.push("c2"));
    await settle();
    expect(settled).toEqual([]);

    open();
    await Promise.all([first, second]);
    expect(settled.sort()).toEqual(["c1", "c2"]);
    expect(bus.subscribedChannels()).toContain(createKeys("unit:").busRoom("lobby"));
    await bus.close();
    await state.close();
  });

  it("subscribes for the first member, unsubscribes after the last, and keeps a topic someone rejoined", async () => {
    const state = new MemoryState("unit:topics:");
    const bus = state.createBus();
    const received: string[] = [];
    const channels = new TopicSubscriptions<true>(
      bus,
      (channel) => ({ kind: "channel", channel }),
      (key, message) => received.push(`${key}:${message}`),
    );
    const topic = createKeys("unit:topics:").busChannel("news");
    await channels.add("news", "c1", true);
    await channels.add("news", "c2", true);
    expect(bus.subscribedChannels()).toEqual([topic]);
    await bus.publish({ kind: "channel", channel: "news" }, "hi");
    await vi.waitFor(() => expect(received).toEqual(["news:hi"]));

    expect(await channels.remove("news", "c1")).toBe(true);
    expect(await channels.remove("news", "c1")).toBe(false);
    expect(bus.subscribedChannels()).toEqual([topic]);
    const leaving = channels.removeConnection("c2");
    const rejoining = channels.add("news", "c3", true);
    await Promise.all([leaving, rejoining]);
    expect(bus.subscribedChannels()).toEqual([topic]);
    await channels.clear("news");
    expect(bus.subscribedChannels()).toEqual([]);
    expect([...channels.memberships()]).toEqual([]);
    await bus.close();
    await state.close();
  });

  it("undoes the add and rejects, for every waiting member, when the subscription fails", async () => {
    const state = new MemoryState("unit:failing:");
    const bus = state.createBus();
    bus.subscribe = () => Promise.reject(new Error("redis away"));
    const records = new TopicSubscriptions<string>(
      bus,
      (recordId) => ({ kind: "record", recordId }),
      () => {},
    );
    const first = records.add("doc", "c1", "full");
    const second = records.add("doc", "c2", "patch");
    await expect(first).rejects.toThrow("redis away");
    await expect(second).rejects.toThrow("redis away");
    expect(records.membersOf("doc").size).toBe(0);
    await bus.close();
    await state.close();
  });
});
