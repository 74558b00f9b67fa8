// Redis work per channel publish: one command, whichever instance publishes and however many subscribers on
// however many instances (one PUBLISH, or one EVALSHA that stores, trims and publishes in a single Lua step).
// Measured on a redis-server of the test's own, because INFO commandstats is server-wide: on the shared Redis,
// parallel test files would add their commands. The delta around N publishes is compared with N.
//
// INFO commandstats also counts the commands a Lua script runs (Redis 7.0 cannot tell them apart there), so the
// EVALSHA window shows the script's HGET/HINCRBY/XADD/PUBLISH too. That a message costs one round trip is
// checked with MONITOR, which tags a script's own commands with the source "lua": per message, the instances
// send exactly one command.
import { describe, expect, it } from "vitest";
import { type Instance, admin, startCluster } from "../cluster/support/cluster";
import { commandCalls, commandDelta } from "../cluster/support/redis";
import { privateRedisServer } from "../cluster/support/privateRedisServer";
import { messagesOf, rawConnect, subscribeRaw } from "./support/channels";

const own = privateRedisServer();

/**
 * Records the commands clients send (not those a script runs), from MONITOR. `settle()` resolves once every
 * command executed before it was recorded: MONITOR reports in execution order, so seeing a sentinel ECHO sent
 * after them proves it. The sentinels and the INFO snapshots are left out of `since`.
 */
async function monitorCommands(
  url: string,
): Promise<{ since: (mark: number) => string[]; settle: () => Promise<number>; stop: () => void }> {
  const sender = admin(url);
  const monitor = await admin(url).monitor();
  const seen: string[] = [];
  const waiting = new Map<string, () => void>();
  let sentinel = 0;
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (source === "lua") return;
    const [command = "", first] = args;
    if (command.toLowerCase() === "echo" && first !== undefined && waiting.has(first)) {
      waiting.get(first)?.();
      return;
    }
    if (command.toLowerCase() !== "info") seen.push(command.toLowerCase());
  });
  return {
    since: (mark) => seen.slice(mark),
    settle: async () => {
      const token = `sentinel-${++sentinel}`;
      const arrived = new Promise<void>((resolve) => waiting.set(token, resolve));
      await sender.echo(token);
      await arrived;
      return seen.length;
    },
    stop: () => monitor.disconnect(),
  };
}

describe("Redis commands per channel publish", () => {
  it("publishToChannel is one PUBLISH without history and one EVALSHA with history, per message, for subscribers on two instances", async () => {
    // Heartbeats every 60 s: none falls inside the measured windows, so every command counted is a publish's.
    const { nodes } = await startCluster(2, { redis: own.server.url, heartbeatInterval: 60_000, instanceTtl: 120_000 });
    const [A, B] = nodes as [Instance, Instance];
    for (const { server } of [A, B]) server.exposeChannel("stats");
    const redis = admin(own.server.url);
    const subscribers = await Promise.all([A.url, A.url, B.url, B.url, B.url].map((url) => rawConnect(url)));
    await Promise.all(subscribers.map((raw) => subscribeRaw(raw, "stats")));
    const everyoneHas = (count: number) =>
      Promise.all(
        subscribers.map((raw) =>
          raw
            .waitFor(() => messagesOf(raw, "stats").length >= count)
            .then(() => expect(messagesOf(raw, "stats")).toHaveLength(count)),
        ),
      );

    // Warm-up: the script's first run on each instance's connection is an EVAL (ioredis then knows the script is
    // loaded); every later run is one EVALSHA. Not part of the measurement.
    await A.server.publishToChannel("stats", "warm-up A", 5);
    await B.server.publishToChannel("stats", "warm-up B", 5);
    await everyoneHas(2);

    const messages = 20;
    const monitor = await monitorCommands(own.server.url);
    try {
      let mark = await monitor.settle();
      let before = await commandCalls(redis);
      for (let i = 0; i < messages; i++) await A.server.publishToChannel("stats", { n: i });
      await everyoneHas(2 + messages);
      expect(commandDelta(before, await commandCalls(redis))).toEqual({ spublish: messages });
      await monitor.settle();
      expect(monitor.since(mark)).toEqual(Array.from({ length: messages }, () => "spublish"));

      mark = await monitor.settle();
      before = await commandCalls(redis);
      for (let i = 0; i < messages; i++) await B.server.publishToChannel("stats", { n: messages + i }, 5);
      await everyoneHas(2 + 2 * messages);
      // One EVALSHA per message; the rest is what the script runs inside it: read the epoch, count the offset,
      // append with an exact MAXLEN trim, publish.
      expect(commandDelta(before, await commandCalls(redis))).toEqual({
        evalsha: messages,
        hget: messages,
        hincrby: messages,
        xadd: messages,
        spublish: messages,
      });
      await monitor.settle();
      expect(monitor.since(mark)).toEqual(Array.from({ length: messages }, () => "evalsha"));
    } finally {
      monitor.stop();
    }

    // Every subscriber got every message once, in publish order.
    const expected = ["warm-up A", "warm-up B", ...Array.from({ length: 2 * messages }, (_, n) => ({ n }))];
    for (const raw of subscribers) expect(messagesOf(raw, "stats")).toEqual(expected);
    // And the stored history was trimmed to 5 in that one step.
    expect((await subscribeRaw(subscribers[0]!, "stats", { historyLimit: 100 })).history).toEqual(
      Array.from({ length: 5 }, (_, k) => ({ n: 2 * messages - 1 - k })),
    );
  });
});
