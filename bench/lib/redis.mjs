// A redis-server per fan-out system (the server tests' launcher, testing/redis-server.mjs), so INFO commandstats
// and Redis CPU count that system only, and what the harness reads from it with ioredis.
import { Redis } from "ioredis";
import { RedisProcess } from "../../testing/redis-server.mjs";
import { killOnExit } from "./children.mjs";

/** Launches a redis-server of the bench's own and connects to it for statistics. */
export async function startRedis() {
  const server = await RedisProcess.launch();
  const forget = killOnExit(server.pid);
  // No ready check: the harness sends nothing beyond what it asks.
  const client = new Redis(server.url, { enableReadyCheck: false, maxRetriesPerRequest: 1, lazyConnect: true });
  client.on("error", () => {});
  await client.connect();
  const field = (text, name) => new RegExp(`^${name}:(.*)\r?$`, "m").exec(text)?.[1];
  return {
    url: server.url,
    pid: server.pid,
    version: field(await client.info("server"), "redis_version"),
    /** Redis's own CPU seconds so far (user + system). */
    async cpuSeconds() {
      const text = await client.info("cpu");
      return Number(field(text, "used_cpu_sys")) + Number(field(text, "used_cpu_user"));
    },
    /** Zeroes INFO commandstats (the CONFIG RESETSTAT itself then counts once, as `config|resetstat`). */
    resetStats: () => client.config("RESETSTAT"),
    /** Calls per command since the last reset: `{ publish: 1000, "config|resetstat": 1, ... }`. */
    async commandStats() {
      const text = await client.info("commandstats");
      return Object.fromEntries([...text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
    },
    monitor: (during, target) => monitor(client, during, target),
    async stop() {
      client.disconnect();
      await server.stop();
      forget();
    },
  };
}

/**
 * Counts with MONITOR the commands Redis runs during `during()` (it slows Redis down: never in a measured phase):
 * client-sent, run inside Lua (Redis 7.0's commandstats counts both), and those whose arguments contain `target`.
 */
async function monitor(client, during, target) {
  const counts = { client: {}, lua: {}, onTarget: {} };
  const add = (map, name) => (map[name] = (map[name] ?? 0) + 1);
  const mon = await client.monitor();
  // Lines still arriving as the connection closes can upset ioredis's reply queue; they are not counted anyway.
  mon.on("error", () => {});
  let counting = false;
  mon.on("monitor", (_time, args, source) => {
    if (!counting) return;
    const name = String(args[0]).toLowerCase();
    add(source === "lua" ? counts.lua : counts.client, name);
    if (target && args.some((a) => a.includes(target))) add(counts.onTarget, name);
  });
  // Lines already on their way when MONITOR started are not counted.
  await new Promise((resolve) => setTimeout(resolve, 50));
  counting = true;
  const result = await during();
  await new Promise((resolve) => setTimeout(resolve, 200));
  counting = false;
  mon.disconnect();
  return { ...counts, result };
}
