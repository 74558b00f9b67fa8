// A redis-server per fan-out system (the server tests' launcher, testing/redis-server.mjs), so INFO commandstats
// and Redis CPU count that system only, and what the harness reads from it with ioredis.
import { Redis } from "ioredis";
import { RedisProcess } from "../../testing/redis-server.mjs";
import { killOnExit } from "./children.mjs";

const infoField = (text, field) => new RegExp(`^${field}:(.*)\r?$`, "m").exec(text)?.[1];

/** A running redis-server of the bench's own, with a statistics connection to it. */
export class BenchRedis {
  static async start() {
    const redis = new BenchRedis(await RedisProcess.launch());
    await redis.client.connect();
    return redis;
  }

  constructor(server) {
    this.server = server;
    this.url = server.url;
    this.pid = server.pid;
    this.forget = killOnExit(server.pid);
    // No ready check: the harness sends nothing beyond what it asks.
    this.client = new Redis(server.url, { enableReadyCheck: false, maxRetriesPerRequest: 1, lazyConnect: true });
    this.client.on("error", () => {});
  }

  async version() {
    return infoField(await this.client.info("server"), "redis_version");
  }

  /** Redis's own CPU seconds so far (user + system). */
  async cpuSeconds() {
    const info = await this.client.info("cpu");
    return Number(infoField(info, "used_cpu_sys")) + Number(infoField(info, "used_cpu_user"));
  }

  /** Zeroes INFO commandstats (the CONFIG RESETSTAT itself then counts once, as `config|resetstat`). */
  async resetStats() {
    await this.client.config("RESETSTAT");
  }

  /** Calls per command since the last reset: `{ publish: 1000, "config|resetstat": 1, ... }`. */
  async commandStats() {
    const text = await this.client.info("commandstats");
    return Object.fromEntries([...text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
  }

  /**
   * Counts with MONITOR the commands Redis runs during `during()` (it slows Redis down: never in a measured phase):
   * client-sent, run inside Lua (Redis 7.0's commandstats counts both), and those whose arguments contain `target`.
   */
  async monitor(during, target) {
    const counts = { client: {}, lua: {}, onTarget: {} };
    const add = (map, name) => (map[name] = (map[name] ?? 0) + 1);
    const mon = await this.client.monitor();
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

  async stop() {
    this.client.disconnect();
    await this.server.stop();
    this.forget();
  }
}
