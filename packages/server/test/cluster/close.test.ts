// A clean close() leaves nothing of the instance behind: not in the other instances' view, not in Redis's keys,
// not in Redis's pub/sub; and its clients are told "going away" (1001), so they know to reconnect elsewhere.
import type { DisconnectInfo } from "@meshwork/client";
import { createKeys, escapeKeyComponent } from "@meshwork/redis-state";
import { describe, expect, it } from "vitest";
import { type Instance, admin, connectClient, startCluster } from "./support/cluster";
import { pubsubChannels, scanKeys } from "./support/redis";

describe("close()", () => {
  it("removes the instance's connections, memberships, metadata and subscriptions, and closes its clients with 1001", async () => {
    // Short liveness timings, so a close mistaken for a crash would show up as instancedown within the window below.
    const { prefix, nodes } = await startCluster(2, { heartbeatInterval: 100, instanceTtl: 500 });
    const [A, B] = nodes as [Instance, Instance];
    const redis = admin();
    const [a1, a2, b1] = await Promise.all([connectClient(A.url), connectClient(A.url), connectClient(B.url)]);
    const aIds = [a1.connectionId, a2.connectionId];

    await B.server.addToRoom("shared", a1.connectionId);
    await A.server.addToRoom("shared", b1.connectionId);
    await B.server.addToRoom("only-a", a2.connectionId);
    await A.server.addToRoom("only-a", a1.connectionId);
    await B.server.connectionManager.setMetadata(a1.connectionId, { userId: "a1" });
    await A.server.connectionManager.setMetadata(b1.connectionId, { userId: "b1" });
    const instanceKey = `instance:${escapeKeyComponent(A.server.instanceId)}:`;
    // The setup is what it claims to be: A's state is in Redis before the close.
    expect((await scanKeys(redis, prefix)).some((key) => key.includes(instanceKey))).toBe(true);
    expect(await redis.sismember(createKeys(prefix).instances(), A.server.instanceId)).toBe(1);
    expect(await pubsubChannels(redis, prefix)).toContain(createKeys(prefix).busRoom("only-a"));

    const closes = [a1, a2].map(
      (client) => new Promise<DisconnectInfo>((resolve) => client.once("disconnect", (info) => resolve(info))),
    );
    const downs: unknown[] = [];
    B.server.on("instancedown", (info) => {
      downs.push(info);
    });

    await A.server.close();

    // Clients: "going away", which tells them to reconnect (elsewhere).
    for (const info of await Promise.all(closes)) expect(info).toMatchObject({ code: 1001, action: "retry" });

    // Seen from the surviving instance's API.
    expect(await B.server.getRoomMembers("shared")).toEqual([b1.connectionId]);
    expect(await B.server.getRoomMembers("only-a")).toEqual([]);
    for (const id of aIds) {
      expect(await B.server.isInRoom("shared", id)).toBe(false);
      expect(await B.server.connectionManager.getMetadata(id)).toBeNull();
      expect(await B.server.sendTo(id, "anyone-there", null)).toBe(false);
    }
    expect(await B.server.connectionManager.getAllMetadata()).toEqual([{ [b1.connectionId]: { userId: "b1" } }]);
    await expect(B.server.addToRoom("shared", a1.connectionId)).rejects.toMatchObject({ code: "NOT_FOUND" });

    // Seen in Redis directly: no key of the instance, no routing, reverse-index or metadata entry of its connections.
    const keys = await scanKeys(redis, prefix);
    expect(keys.filter((key) => key.includes(instanceKey))).toEqual([]);
    expect(await redis.sismember(createKeys(prefix).instances(), A.server.instanceId)).toBe(0);
    for (const id of aIds) {
      expect(await redis.hexists(createKeys(prefix).connections(), id)).toBe(0);
      expect(await redis.hexists(createKeys(prefix).connectionMetadata(), id)).toBe(0);
      expect(keys).not.toContain(createKeys(prefix).connectionRooms(id));
    }

    // Pub/sub: A's own channel and the room only A listened to are gone; B's are intact.
    expect(await pubsubChannels(redis, prefix)).toEqual(
      [
        createKeys(prefix).busAll(),
        createKeys(prefix).busInstance(B.server.instanceId),
        createKeys(prefix).busRoom("shared"),
      ].sort(),
    );
    expect(A.server.subscribedChannels()).toEqual([]);

    // A clean close is not a crash: no survivor reports it. (Fixed window, only to assert that nothing arrives:
    // longer than instanceTtl + 2 heartbeats, by when a sweep would have reaped a merely silent instance.)
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(downs).toEqual([]);
  });
});
