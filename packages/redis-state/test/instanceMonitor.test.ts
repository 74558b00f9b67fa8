import { afterAll, describe, expect, it, vi } from "vitest";
import { InstanceMonitor, MemoryState, RedisState, type MeshState, type ReapedConnection } from "../src/index";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "./redisSupport";

const prefixes: string[] = [];
afterAll(async () => {
  await Promise.all(prefixes.map(deletePrefix));
});

const stores: Array<[string, () => Promise<MeshState>]> = [
  ["memory", async () => new MemoryState(uniquePrefix())],
  [
    "redis",
    async () => {
      const keyPrefix = uniquePrefix();
      prefixes.push(keyPrefix);
      const state = new RedisState({ connection: TEST_REDIS_URL, keyPrefix });
      await state.ready();
      return state;
    },
  ],
];

describe.each(stores)("InstanceMonitor on %s", (_name, createState) => {
  it("lets exactly one survivor remove a silent instance's connections within TTL plus one sweep", async () => {
    const state = await createState();
    const reports: Array<{ by: string; instanceId: string; connections: ReapedConnection[] }> = [];
    const errors: unknown[] = [];
    const monitor = (instanceId: string) =>
      new InstanceMonitor({
        state,
        instanceId,
        heartbeatInterval: 50,
        instanceTtl: 200,
        onInstanceReaped: (dead, connections) => reports.push({ by: instanceId, instanceId: dead, connections }),
        onExpired: async () => {},
        onError: (error) => errors.push(error),
      });
    const doomed = monitor("doomed");
    const survivors = [monitor("s1"), monitor("s2")];
    try {
      await doomed.start();
      await Promise.all(survivors.map((m) => m.start()));
      await state.connections.register("x1", "doomed");
      await state.rooms.addMember("lobby", "x1");
      await doomed.stop();
      const stoppedAt = Date.now();
      await vi.waitFor(() => expect(reports).toHaveLength(1), { timeout: 3_000, interval: 10 });
      // TTL + one sweep interval, with room for a loaded CI machine.
      expect(Date.now() - stoppedAt).toBeLessThan(200 + 50 + 250);
      expect(reports[0]).toMatchObject({
        instanceId: "doomed",
        connections: [{ connectionId: "x1", rooms: ["lobby"] }],
      });
      expect(await state.rooms.members("lobby")).toEqual([]);
      // Give the other survivor several more sweeps: it must not report the same instance again.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(reports).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await doomed.stop();
      await Promise.all(survivors.map((m) => m.stop()));
      await state.close();
    }
  });

  it("tells an instance that expired so it can register its state again", async () => {
    const state = await createState();
    const onExpired = vi.fn(async () => {});
    const monitor = new InstanceMonitor({
      state,
      instanceId: "sleepy",
      heartbeatInterval: 40,
      instanceTtl: 100,
      onInstanceReaped: () => {},
      onExpired,
      onError: () => {},
    });
    try {
      await monitor.start();
      // The process stalls past its TTL (as when Redis is away): the next beat finds it expired.
      await vi.waitFor(async () => expect(await state.instances.isAlive("sleepy")).toBe(true));
      await state.instances.reap("sleepy", { force: true });
      await monitor.tick();
      expect(onExpired).toHaveBeenCalledTimes(1);
    } finally {
      await monitor.stop();
      await state.close();
    }
  });

  it("refuses a TTL that is not longer than the heartbeat interval", async () => {
    const state = await createState();
    expect(
      () =>
        new InstanceMonitor({
          state,
          instanceId: "x",
          heartbeatInterval: 100,
          instanceTtl: 100,
          onInstanceReaped: () => {},
          onExpired: async () => {},
          onError: () => {},
        }),
    ).toThrow(RangeError);
    await state.close();
  });
});
