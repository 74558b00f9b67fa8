// A dedicated redis-server per fan-out system (the launcher the server tests use, testing/redis-server.mjs), so
// INFO commandstats and Redis CPU count that system only, and what the harness reads from it with ioredis:
// version, CPU seconds, command statistics, and a MONITOR accounting of client-sent vs script-run commands.
import { Redis } from "ioredis";
import { RedisProcess } from "../../testing/redis-server.mjs";

const live = new Set();
// children.mjs exits the process on a signal, which runs this hook: no redis-server outlives the bench.
process.on("exit", () => {
  for (const redis of live) {
    try {
      process.kill(redis.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

/** The value of `field` in INFO text. */
const infoField = (text, field) => new RegExp(`^${field}:(.*)\r?$`, "m").exec(text)?.[1];

/** A running redis-server of the bench's own and a statistics connection to it. */
export class BenchRedis {
  /** Launches the server and connects (no ready check: the harness adds no traffic beyond what it asks). */
  static async start() {
    const redis = new BenchRedis(await RedisProcess.launch());
    await redis.client.connect();
    return redis;
  }

  constructor(server) {
    live.add(server);
    this.server = server;
    this.url = server.url;
    this.pid = server.pid;
    this.client = new Redis(server.url, { enableReadyCheck: false, maxRetriesPerRequest: 1, lazyConnect: true });
    this.client.on("error", () => {});
  }

  async version() {
    return infoField(await this.client.info("server"), "redis_version");
  }

  /** Redis's own CPU seconds so far (every thread of the process, user + system). */
  async cpuSeconds() {
    const info = await this.client.info("cpu");
    return Number(infoField(info, "used_cpu_sys")) + Number(infoField(info, "used_cpu_user"));
  }

  /** Zeroes INFO commandstats (the CONFIG RESETSTAT itself is then counted once, as `config|resetstat`). */
  async resetStats() {
    await this.client.config("RESETSTAT");
  }

  /** Calls per command since the last reset: `{ publish: 1000, "config|resetstat": 1, ... }`. */
  async commandStats() {
    const out = {};
    for (const m of (await this.client.info("commandstats")).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
    return out;
  }

  /**
   * Counts the commands Redis runs while `during()` runs, with MONITOR (it slows Redis down: never in a measured
   * phase). Redis 7.0's INFO commandstats counts client-sent and script-run commands alike; MONITOR marks the
   * latter `lua`. `target`, when given, also counts every command whose arguments contain it.
   * @returns {Promise<{ client: Record<string, number>, lua: Record<string, number>, onTarget: Record<string, number> }>}
   */
  async monitor(during, target) {
    const counts = { client: {}, lua: {}, onTarget: {} };
    const add = (map, name) => (map[name] = (map[name] ?? 0) + 1);
    const mon = await this.client.monitor();
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
    mon.disconnect();
    return { ...counts, result };
  }

  /** Closes the statistics connection and kills the server by pid. */
  async stop() {
    this.client.disconnect();
    await this.server.stop();
    live.delete(this.server);
  }
}
