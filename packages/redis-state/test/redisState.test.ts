import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createKeys, escapeKeyComponent } from "../src/keys";
import { RedisState } from "../src/index";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "./redisSupport";

const prefixes: string[] = [];
afterAll(async () => {
  await Promise.all(prefixes.map(deletePrefix));
});

/** What Redis Cluster hashes: the text between the first "{" and the first "}" after it, when that is not empty. */
function hashTag(key: string): string | null {
  const open = key.indexOf("{");
  const close = key.indexOf("}", open + 1);
  return open === -1 || close <= open + 1 ? null : key.slice(open + 1, close);
}

describe("key layout", () => {
  it("escapes only the delimiter and escape characters, so distinct names give distinct keys", () => {
    expect(escapeKeyComponent("plain-name_1")).toBe("plain-name_1");
    expect(escapeKeyComponent("a:b%c{d}")).toBe("a%3Ab%25c%7Bd%7D");
    const names = ["a:b", "a%3Ab", "a%253Ab", "a{b}", "a:b:members"];
    const keys = new Set(names.map((name) => createKeys("p:").roomMembers(name)));
    expect(keys.size).toBe(names.length);
  });

  it("tags every key and channel so that what one script or transaction touches shares a cluster slot", () => {
    const keys = createKeys("p:");
    const registry = [
      keys.instances(),
      keys.stateGeneration(),
      keys.instanceAlive("i:1"),
      keys.instanceConnections("i:1"),
      keys.instanceReapLock("i:1"),
      keys.connections(),
      keys.connectionMetadata(),
      keys.connectionRooms("{c}"),
      keys.roomMembers("a}b"),
      keys.roomMetadata("a}b"),
      keys.roomsWithMetadata(),
      keys.roomsWithPresence(),
    ];
    expect(new Set(registry.map(hashTag))).toEqual(new Set(["p:registry"]));
    expect(hashTag(createKeys("other:").connections())).toBe("other:registry");
    expect(hashTag(keys.record("r{1}"))).toBe("record:r%7B1%7D");
    expect(hashTag(keys.busRecord("r{1}"))).toBe("record:r%7B1%7D");
    expect(new Set([keys.channelHistory("c"), keys.channelMeta("c"), keys.busChannel("c")].map(hashTag))).toEqual(
      new Set(["channel:c"]),
    );
    expect(hashTag(keys.busRoom("lobby"))).toBe(hashTag(keys.presence("lobby").bus));
    expect(hashTag(keys.busInstance("i:1"))).toBe("instance:i%3A1");
    expect(hashTag(keys.busAll())).toBe("all");
    expect(() => createKeys("lua:{x}:")).toThrow(/must not contain/);
  });

  it("puts every key and the channel of a room's presence under one hash tag that names cannot break", () => {
    const keys = createKeys("p:");
    const rooms = ["lobby", "{x}", "a}b{c", "}", "{", "", "ünï:{cödé}", "a:b"];
    const tags = rooms.map((room) => {
      const all = Object.values(keys.presence(room));
      expect(new Set(all).size).toBe(8);
      expect(new Set(all.map(hashTag))).toEqual(new Set([`room:${escapeKeyComponent(room)}`]));
      return hashTag(keys.presence(room).members);
    });
    expect(tags.slice(0, 2)).toEqual(["room:lobby", "room:%7Bx%7D"]);
    expect(new Set(tags).size).toBe(rooms.length);
  });

  it("writes nothing outside its prefix", async () => {
    const keyPrefix = uniquePrefix();
    prefixes.push(keyPrefix);
    const state = new RedisState({ connection: TEST_REDIS_URL, keyPrefix });
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await state.instances.heartbeat("i1", 5_000);
      await state.connections.register("c1", "i1");
      await state.rooms.addMember("r", "c1");
      await state.rooms.setMetadata("r", { a: 1 });
      await state.connections.setMetadata("c1", { b: 2 });
      const [, keys] = await redis.scan("0", "MATCH", `${keyPrefix}*`, "COUNT", 1000);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((key) => key.startsWith(keyPrefix))).toBe(true);
    } finally {
      redis.disconnect();
      await state.close();
    }
  });
});
