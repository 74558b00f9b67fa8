import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { CLOSE_CODES } from "../../src/index";
import { adminClient, deletePrefix } from "../cluster/support/redis";
import { fuzzFrame } from "./support/frameArbitraries";
import { startFuzzServer } from "./support/fuzzServer";
import { FuzzSocketPool } from "./support/fuzzSockets";
import { settledHeapUsed } from "./support/heap";
import { WellBehavedNeighbour } from "./support/neighbour";
import { recordRealFrames } from "./support/realFrames";
import { footprintOf } from "./support/serverFootprint";

// 40 runs of 250 fuzz frames (bursts send theirs many times): over 10,000 frames per test run, over 6 sockets.
const RUNS = 40;
const FRAMES_PER_RUN = 250;
const SOCKETS = 6;
// What the run may leave on the heap once everything is closed and collected. The fuzz sends tens of MB of
// frames (strings of up to 120 k code points, nesting thousands deep) through this same process; what a leak
// would keep (per-connection state for a thousand connections, subscriptions, their frames) grows well past it.
const HEAP_GROWTH_BOUND = 32 * 1024 * 1024;
const DOCUMENTED_CLOSE_CODES = new Set<number>(Object.values(CLOSE_CODES).map((info) => info.code));

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const table = (counts: Map<string | number, number>): string =>
  [...counts]
    .sort(([, a], [, b]) => b - a)
    .map(([key, count]) => `${key}=${count}`)
    .join(" ");

describe("frame fuzzing", () => {
  it("serves 10,000 random and mutated frames without crashing, leaking or failing a well-behaved neighbour", async () => {
    const { server, url, logger, keyPrefix, setNeighbour } = await startFuzzServer();
    const redis = adminClient();
    const processErrors: unknown[] = [];
    const onProcessError = (error: unknown): void => {
      processErrors.push(error);
    };
    process.on("unhandledRejection", onProcessError);
    process.on("uncaughtException", onProcessError);
    try {
      const seeds = await recordRealFrames(url);
      // Seeds of every operation: echo, sum and the 13 built-in commands, and both liveness answers.
      const parsed = seeds.map((text) => JSON.parse(text) as { type: string; command?: string });
      expect(new Set(parsed.map((frame) => frame.command ?? frame.type)).size).toBe(17);

      const neighbour = await WellBehavedNeighbour.start(server, url);
      setNeighbour(neighbour.client.connectionId as string);
      await neighbour.round();
      const baseline = await footprintOf(server, redis, keyPrefix);
      const heapBefore = await settledHeapUsed();

      let fuzzing = true;
      const neighbourLoop = (async () => {
        while (fuzzing) {
          await neighbour.round();
          // Paced to stay far inside the rate limit every connection has, the neighbour's included.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const pool = new FuzzSocketPool(url, SOCKETS);
      const seed = Number(process.env.MESHWORK_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
      console.info(`frame fuzz: seed ${seed} (MESHWORK_FUZZ_SEED=${seed} replays these frames)`);
      const started = Date.now();
      const unexpectedLogs = () => logger.lines.filter((line) => line.level === "warn" || line.level === "error");
      try {
        const details = await fc.check(
          fc.asyncProperty(
            fc.array(fuzzFrame(seeds, SOCKETS), { minLength: FRAMES_PER_RUN, maxLength: FRAMES_PER_RUN }),
            async (frames) => {
              for (const frame of frames) await pool.send(frame);
              await pool.settle();
              expect(unexpectedLogs()).toEqual([]);
              expect(processErrors).toEqual([]);
              expect(pool.problems).toEqual([]);
              expect([...pool.closes.keys()].filter((code) => !DOCUMENTED_CLOSE_CODES.has(code))).toEqual([]);
              expect(neighbour.failures).toEqual([]);
            },
          ),
          { seed, numRuns: RUNS, endOnFailure: true },
        );
        // The frames of a failing run are too long to print; the seed and path replay them.
        if (details.failed) {
          throw new Error(
            `fuzz run ${details.numRuns} failed (seed ${details.seed}, path ${details.counterexamplePath}): ` +
              String(details.errorInstance),
          );
        }
      } finally {
        fuzzing = false;
        await neighbourLoop;
        await pool.closeAll();
      }
      const fuzzMs = Date.now() - started;

      // Every fuzz connection is gone, locally and from Redis, with all it subscribed to and joined.
      await vi.waitFor(async () => expect(await footprintOf(server, redis, keyPrefix)).toEqual(baseline), {
        timeout: 10_000,
        interval: 100,
      });
      const heapAfter = await settledHeapUsed();
      await neighbour.round();
      await neighbour.client.close();

      console.info(
        [
          `frame fuzz: ${pool.framesSent} frames (${mib(pool.bytesSent)}) in ${fuzzMs} ms over ${pool.connectionIds.size} connections`,
          `  sent by kind: ${table(pool.sentByKind)}`,
          `  answers: ${table(pool.answers)}`,
          `  server closes by code: ${table(pool.closes)}`,
          `  neighbour: ${neighbour.rounds} rounds of checks, ${neighbour.failures.length} failed`,
          `  heap used: ${mib(heapBefore)} before, ${mib(heapAfter)} after (after GC), growth bound ${mib(HEAP_GROWTH_BOUND)}`,
          `  back to baseline: ${baseline.localConnections} local connection, ${baseline.busChannels.length} bus channels, ` +
            `${baseline.registeredConnections} registered connection, ${baseline.membershipKeys.length} membership keys`,
        ].join("\n"),
      );
      expect(pool.framesSent).toBeGreaterThanOrEqual(10_000);
      expect(neighbour.failures).toEqual([]);
      expect(neighbour.rounds).toBeGreaterThan(10);
      expect(unexpectedLogs()).toEqual([]);
      expect(processErrors).toEqual([]);
      // The limits were crossed and the run went on through them.
      expect(pool.closes.get(CLOSE_CODES.TOO_MANY_BAD_MESSAGES.code)).toBeGreaterThan(0);
      expect(pool.closes.get(CLOSE_CODES.RATE_LIMITED.code)).toBeGreaterThan(0);
      expect(pool.answers.get("error:BAD_MESSAGE")).toBeGreaterThan(0);
      expect(heapAfter - heapBefore).toBeLessThan(HEAP_GROWTH_BOUND);
    } finally {
      process.off("unhandledRejection", onProcessError);
      process.off("uncaughtException", onProcessError);
      await server.close();
      await deletePrefix(redis, keyPrefix);
      redis.disconnect();
    }
  }, 60_000);
});
