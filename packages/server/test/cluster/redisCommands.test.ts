// Redis work per broadcast (original Mesh weakness 4: O(connections) Redis commands per broadcast). Measured on
// a redis-server this test starts for itself, because command statistics are server-wide: on the shared Redis,
// parallel test files would add their own commands, and CONFIG RESETSTAT would disturb them. The delta of
// INFO commandstats around N broadcasts is compared with N.
import type { MeshClient } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { type Instance, admin, connectClient, eventually, recordPushes, startCluster } from "./support/cluster";
import { commandCalls, commandDelta } from "./support/redis";
import { privateRedisServer } from "./support/privateRedisServer";

const own = privateRedisServer();

const total = (diff: Record<string, number>): number => Object.values(diff).reduce((sum, n) => sum + n, 0);

describe("Redis commands per broadcast", () => {
  it("a room broadcast to 50 members on 2 instances is one PUBLISH; so is a broadcast to all; a listed one is one lookup + one PUBLISH per instance", async () => {
    // Heartbeats every 60 s: none falls inside the measured windows, so every command counted is the broadcasts'.
    const { nodes } = await startCluster(2, { redis: own.server.url, heartbeatInterval: 60_000, instanceTtl: 120_000 });
    const [A, B] = nodes as [Instance, Instance];
    const redis = admin(own.server.url);
    const members = 50;
    const clients: Array<MeshClient & { connectionId: string }> = [];
    for (let i = 0; i < members; i++) clients.push(await connectClient((i % 2 === 0 ? A : B).url));
    for (const client of clients) await A.server.addToRoom("big", client.connectionId);
    expect(await B.server.getRoomMembers("big")).toHaveLength(members);
    const got = clients.map((client) => recordPushes<number>(client, "tick"));
    const everyoneHas = (count: number) =>
      eventually(() => {
        for (const received of got) expect(received).toHaveLength(count);
      }, 5_000);

    const broadcasts = 20;

    // Room broadcasts, from the instance with half the members.
    let before = await commandCalls(redis);
    for (let i = 0; i < broadcasts; i++) await A.server.broadcastRoom("big", "tick", i);
    await everyoneHas(broadcasts);
    let used = commandDelta(before, await commandCalls(redis));
    expect(used).toEqual({ spublish: broadcasts });

    // Broadcasts to everyone.
    before = await commandCalls(redis);
    for (let i = 0; i < broadcasts; i++) await B.server.broadcast("tick", broadcasts + i);
    await everyoneHas(2 * broadcasts);
    used = commandDelta(before, await commandCalls(redis));
    expect(used).toEqual({ spublish: broadcasts });

    // Exclusions travel inside the message: still one PUBLISH each.
    before = await commandCalls(redis);
    for (let i = 0; i < broadcasts; i++)
      await A.server.broadcastRoomExclude("big", "tick", 2 * broadcasts + i, [clients[1]!.connectionId]);
    await eventually(() => {
      for (const [index, received] of got.entries())
        expect(received).toHaveLength(index === 1 ? 2 * broadcasts : 3 * broadcasts);
    }, 5_000);
    used = commandDelta(before, await commandCalls(redis));
    expect(used).toEqual({ spublish: broadcasts });

    // A broadcast to listed connections spread over both instances: one HMGET for their instances and one
    // PUBLISH to the other instance (A's own are delivered directly): at most 2 commands, whatever the list's length.
    const listed = clients.map((client) => client.connectionId);
    const listedGot = clients.map((client) => recordPushes<number>(client, "listed"));
    before = await commandCalls(redis);
    for (let i = 0; i < broadcasts; i++) await A.server.broadcast("listed", i, listed);
    await eventually(() => {
      for (const received of listedGot) expect(received).toHaveLength(broadcasts);
    }, 5_000);
    used = commandDelta(before, await commandCalls(redis));
    expect(total(used)).toBeLessThanOrEqual(2 * broadcasts);
    expect(used.spublish).toBe(broadcasts);
  });
});
