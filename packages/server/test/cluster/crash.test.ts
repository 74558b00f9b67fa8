// A crashed instance (SIGKILL: no close(), no last word) is cleaned up by the survivors (original Mesh weakness
// 8: nothing was ever cleaned up). The instance runs in a child process (support/instanceProcess.ts) with short
// liveness timings; two in-process survivors share its Redis and prefix.
import type { InstanceDownInfo } from "@meshwork/server";
import { createKeys, escapeKeyComponent } from "@meshwork/redis-state";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Instance,
  admin,
  connectClient,
  eventually,
  flushPushes,
  recordPushes,
  startInstance,
  testPrefix,
} from "./support/cluster";
import { killChildren, startChildInstance } from "./support/childInstance";
import { TEST_REDIS, scanKeys } from "./support/redis";

const HEARTBEAT = 100;
const TTL = 500;
// Allowance on top of instanceTtl + heartbeatInterval for Redis round trips and a busy 2-core machine (the
// suite's other files run in parallel).
const SLACK = 1_000;

afterEach(killChildren);

describe("instance crash", () => {
  it("survivors remove a SIGKILLed instance's connections, memberships, metadata and keys in time, and exactly one reports instancedown", async () => {
    const prefix = testPrefix();
    const redis = admin();
    const [S1, S2] = (await Promise.all([
      startInstance(prefix, { heartbeatInterval: HEARTBEAT, instanceTtl: TTL }),
      startInstance(prefix, { heartbeatInterval: HEARTBEAT, instanceTtl: TTL }),
    ])) as [Instance, Instance];
    const child = await startChildInstance({
      redis: TEST_REDIS,
      keyPrefix: prefix,
      heartbeatInterval: HEARTBEAT,
      instanceTtl: TTL,
    });

    // Three clients on the doomed instance, in rooms (one shared with a survivor's client) and with metadata.
    const roomsOf: Record<string, string[]> = {};
    const doomed = [];
    const plan = [["lobby", "team"], ["lobby"], ["solo"]];
    for (const [index, rooms] of plan.entries()) {
      const client = await connectClient(child.url, { shouldReconnect: false });
      expect(await client.command("cluster-test/setup", { rooms, metadata: { userId: `u${index}` } })).toEqual({
        instanceId: child.instanceId,
      });
      roomsOf[client.connectionId] = rooms;
      doomed.push(client);
    }
    const ids = doomed.map((client) => client.connectionId);
    const survivor = await connectClient(S1.url);
    await S2.server.addToRoom("lobby", survivor.connectionId);

    // The setup is visible from the survivors before the crash.
    expect((await S1.server.getRoomMembers("lobby")).sort()).toEqual([ids[0]!, ids[1]!, survivor.connectionId].sort());
    expect(await S2.server.connectionManager.getMetadata(ids[2]!)).toEqual({ userId: "u2" });
    expect(await S2.server.sendTo(ids[0]!, "still-there", null)).toBe(true);

    const downs: Array<{ by: string; info: InstanceDownInfo }> = [];
    for (const S of [S1, S2]) S.server.on("instancedown", (info) => void downs.push({ by: S.server.instanceId, info }));

    await child.kill("SIGKILL");
    const killedAt = Date.now();

    // Cleaned up within instanceTtl + heartbeatInterval (+ slack), as seen through the survivors' API.
    await eventually(
      async () => {
        expect(await S1.server.getRoomMembers("lobby")).toEqual([survivor.connectionId]);
        expect(await S2.server.getRoomMembers("team")).toEqual([]);
        expect(await S2.server.getRoomMembers("solo")).toEqual([]);
        for (const id of ids) expect(await S1.server.connectionManager.getMetadata(id)).toBeNull();
        expect(await S2.server.connectionManager.getAllMetadata()).toEqual([{ [survivor.connectionId]: null }]);
        expect(downs).toHaveLength(1);
      },
      TTL + HEARTBEAT + SLACK,
    );
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThanOrEqual(TTL + HEARTBEAT + SLACK);

    // Exactly one survivor reported it, with every connection and its rooms.
    const [down] = downs;
    expect([S1.server.instanceId, S2.server.instanceId]).toContain(down!.by);
    expect(down!.info.instanceId).toBe(child.instanceId);
    const reported = down!.info.connections.map(({ connectionId, rooms }) => ({
      connectionId,
      rooms: [...rooms].sort(),
    }));
    expect(reported.sort((a, b) => a.connectionId.localeCompare(b.connectionId))).toEqual(
      ids
        .map((id) => ({ connectionId: id, rooms: [...roomsOf[id]!].sort() }))
        .sort((a, b) => a.connectionId.localeCompare(b.connectionId)),
    );

    // The dead connections are unknown everywhere now.
    for (const id of ids) {
      expect(await S1.server.sendTo(id, "anyone-there", null)).toBe(false);
      expect(await S2.server.isInRoom(roomsOf[id]![0]!, id)).toBe(false);
      await expect(S1.server.addToRoom("lobby", id)).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await redis.hexists(createKeys(prefix).connections(), id)).toBe(0);
      expect(await redis.exists(createKeys(prefix).connectionRooms(id))).toBe(0);
    }

    // None of the killed instance's keys is left, except the reap lock, which must expire on its own (it keeps a
    // late second sweeper from reporting the instance again; docs/redis-keys.md).
    const instanceKeyPart = `instance:${escapeKeyComponent(child.instanceId)}:`;
    const reapLock = createKeys(prefix).instanceReapLock(child.instanceId);
    const left = (await scanKeys(redis, prefix)).filter((key) => key.includes(instanceKeyPart));
    expect(left.filter((key) => key !== reapLock)).toEqual([]);
    if (left.includes(reapLock)) expect(await redis.pttl(reapLock)).toBeGreaterThan(0);
    expect(await redis.sismember(createKeys(prefix).instances(), child.instanceId)).toBe(0);

    // The survivors still serve their own: a room broadcast reaches the surviving member.
    const got = recordPushes(survivor, "after-crash");
    await S2.server.broadcastRoom("lobby", "after-crash", "ok");
    await eventually(() => expect(got).toEqual(["ok"]));

    // Nobody reports the instance a second time. (Fixed window, only to assert that nothing more arrives: several
    // sweeps of both survivors.)
    await new Promise((resolve) => setTimeout(resolve, 4 * HEARTBEAT));
    await flushPushes(S1.server, survivor);
    expect(downs).toHaveLength(1);
  });

  it("an instance that stalls past its TTL is reaped, and re-registers its connections and memberships when it resumes", async () => {
    // SIGSTOP freezes the child (a long GC pause, a stalled VM) without closing its sockets. The survivors must
    // treat it as dead; when it resumes, its heartbeat finds it expired and it registers its state again.
    const prefix = testPrefix();
    const S = await startInstance(prefix, { heartbeatInterval: HEARTBEAT, instanceTtl: TTL });
    const child = await startChildInstance({
      redis: TEST_REDIS,
      keyPrefix: prefix,
      heartbeatInterval: HEARTBEAT,
      instanceTtl: TTL,
    });
    const frozen = await connectClient(child.url, { shouldReconnect: false });
    await frozen.command("cluster-test/setup", { rooms: ["lobby"], metadata: { userId: "f" } });
    const downs: InstanceDownInfo[] = [];
    S.server.on("instancedown", (info) => void downs.push(info));

    process.kill(child.pid, "SIGSTOP");
    try {
      await eventually(
        async () => {
          expect(downs.map((d) => d.instanceId)).toEqual([child.instanceId]);
          expect(await S.server.getRoomMembers("lobby")).toEqual([]);
        },
        TTL + HEARTBEAT + SLACK,
      );
      expect(downs[0]!.connections).toEqual([{ connectionId: frozen.connectionId, rooms: ["lobby"] }]);
    } finally {
      process.kill(child.pid, "SIGCONT");
    }

    // Back: the connection and its membership are registered again and reachable from the survivor.
    await eventually(async () => {
      expect(await S.server.getRoomMembers("lobby")).toEqual([frozen.connectionId]);
      expect(await S.server.isInRoom("lobby", frozen.connectionId)).toBe(true);
    }, 3_000);
    const got = recordPushes<string>(frozen, "welcome-back");
    await S.server.broadcastRoom("lobby", "welcome-back", "room");
    expect(await S.server.sendTo(frozen.connectionId, "welcome-back", "direct")).toBe(true);
    await eventually(() => expect(got).toEqual(["room", "direct"]));
    expect(await admin().sismember(createKeys(prefix).instances(), child.instanceId)).toBe(1);
  });
});
