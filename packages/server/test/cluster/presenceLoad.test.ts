// A bounded loopback load test: 1,000 raw clients join one tracked room across two instances, in batches, under a
// deadline. Every watcher (two on each instance) ends with exactly the member list getPresence returns, having seen
// each join once. Prints how long the joins took and the Redis commands per join, measured on a redis-server of the
// file's own (command statistics are server-wide; see redisCommands.test.ts).
import { describe, expect, it } from "vitest";
import { type Instance, admin, eventually, startCluster } from "./support/cluster";
import {
  type RawMember,
  eventsAfter,
  expectNoDuplicates,
  joinRoom,
  rawMember,
  subscribePresence,
} from "./support/presence";
import { privateRedisServer } from "./support/privateRedisServer";
import { commandCalls, commandDelta } from "./support/redis";

const own = privateRedisServer();

const CLIENTS = 1_000;
const BATCH = 100;
const DEADLINE_MS = 20_000;

/** Runs `task` for 0..count-1, `BATCH` at a time. */
async function inBatches<T>(count: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const size = Math.min(BATCH, count - start);
    results.push(...(await Promise.all(Array.from({ length: size }, (_, i) => task(start + i)))));
  }
  return results;
}

describe("presence under load", () => {
  it("1,000 clients join one tracked room across two instances; every watcher ends with getPresence's members", async () => {
    // Heartbeats every 60 s: none falls inside the measured window, so every command counted is the joins'.
    const { nodes } = await startCluster(2, { redis: own.server.url, heartbeatInterval: 60_000, instanceTtl: 120_000 });
    const [A, B] = nodes as [Instance, Instance];
    for (const { server } of [A, B]) {
      server.exposeRoom("hall");
      server.trackPresence("hall");
    }
    const redis = admin(own.server.url);
    const watchers = await Promise.all([A, A, B, B].map((node) => rawMember(node.url)));
    const subscribed = await Promise.all(watchers.map((watcher) => subscribePresence(watcher, "hall")));
    const members: RawMember[] = await inBatches(CLIENTS, (i) => rawMember((i % 2 === 0 ? A : B).url));

    const before = await commandCalls(redis);
    const started = performance.now();
    await inBatches(CLIENTS, async (i) => expect((await joinRoom(members[i] as RawMember, "hall")).success).toBe(true));
    const joined = performance.now() - started;
    const used = commandDelta(before, await commandCalls(redis));
    expect(joined).toBeLessThan(DEADLINE_MS);

    const presence = await A.server.getPresence("hall");
    const expected = members.map((member) => member.id).sort();
    expect(presence.members.map((member) => member.connectionId)).toEqual(expected);
    await eventually(() => {
      for (const [index, watcher] of watchers.entries()) {
        const seen = eventsAfter(
          watcher,
          "hall",
          (subscribed[index] as { position: { epoch: number; seq: number } }).position,
        );
        expect(seen).toHaveLength(CLIENTS);
      }
    }, 10_000);
    for (const [index, watcher] of watchers.entries()) {
      const seen = eventsAfter(
        watcher,
        "hall",
        (subscribed[index] as { position: { epoch: number; seq: number } }).position,
      );
      expect(seen.every((line) => line.startsWith("join "))).toBe(true);
      expect(seen.map((line) => line.slice("join ".length)).sort()).toEqual(expected);
      expectNoDuplicates(watcher, "hall");
    }

    const total = Object.values(used).reduce((sum, n) => sum + n, 0);
    console.log(
      `presence load: ${CLIENTS} joins across 2 instances in ${Math.round(joined)} ms ` +
        `(${Math.round((CLIENTS / joined) * 1000)} joins/s), ${(total / CLIENTS).toFixed(2)} Redis commands per join ` +
        `${JSON.stringify(used)}`,
    );
  }, 30_000);
});
