import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Counter, Registry } from "prom-client";
import { describe, expect, it, vi } from "vitest";
import { MeshServer } from "../../src/index";
import { privateRedisServer } from "../cluster/support/privateRedisServer";
import { TEST_REDIS_URL } from "../cluster/support/redis";
import { parseMetrics } from "../support/metricsText";
import { RawClient } from "../support/rawClient";
import { MemoryLogger, startServer, track, uniquePrefix } from "../support/servers";

const run = promisify(execFile);
const fixture = fileURLToPath(new URL("./fixtures/withoutPromClient.ts", import.meta.url));

describe("metrics setup", () => {
  it("without prom-client: metrics off never loads it and metrics() says how to turn them on; on, ready() says what to install", async () => {
    const { stdout } = await run(process.execPath, ["--conditions=source", "--import", "tsx", fixture], {
      timeout: 15_000,
    });
    const outcome = JSON.parse(stdout.trim().split("\n").at(-1) as string);
    expect(outcome.loaded).toBe(false);
    expect(outcome.offMetrics).toMatch(/metrics are off; construct the server with "metrics: true"/);
    expect(outcome.onReady).toMatch(/needs the optional peer dependency "prom-client"/);
    expect(outcome.onMetrics).toMatch(/needs the optional peer dependency "prom-client"/);
  });

  it("metrics off: metrics() rejects and the metrics path option is refused", async () => {
    const { server } = await startServer({ redis: TEST_REDIS_URL });
    await expect(server.metrics()).rejects.toThrow(/metrics are off/);
    expect(() => new MeshServer({ port: 0, metricsPath: "/metrics" })).toThrow(/needs "metrics" turned on/);
    expect(() => new MeshServer({ noServer: true, metrics: true, metricsPath: "/metrics" })).toThrow(
      /only applies together with "port"/,
    );
  });

  it("puts its metrics in a registry the application owns, beside the application's, and takes them out on close", async () => {
    const registry = new Registry();
    const own = new Counter({ name: "app_orders_total", help: "Orders.", registers: [registry] });
    own.inc(2);
    const { server, url } = await startServer({ redis: TEST_REDIS_URL, metrics: registry });
    const client = await RawClient.connect(url);
    const series = parseMetrics(await registry.metrics());
    expect(series.get("app_orders_total")).toBe(2);
    expect(series.get("meshwork_connections")).toBe(1);
    expect(parseMetrics(await server.metrics()).get("app_orders_total")).toBe(2);
    // A second server cannot share it: the names would clash.
    const second = track(
      new MeshServer({ noServer: true, keyPrefix: uniquePrefix(), metrics: registry, logger: new MemoryLogger() }),
    );
    await expect(second.ready()).rejects.toThrow(/already holds another server's metrics/);
    await client.close();
    await server.close();
    const after = parseMetrics(await registry.metrics());
    expect(after.get("app_orders_total")).toBe(2);
    expect([...after.keys()].filter((name) => name.startsWith("meshwork_"))).toEqual([]);
  });

  describe("with a Redis of its own", () => {
    const redis = privateRedisServer();

    it("counts Redis errors and reconnects when Redis goes away and comes back", async () => {
      const { server } = await startServer({ redis: redis.server.url, metrics: true });
      await redis.server.stop("SIGKILL");
      await vi.waitFor(
        async () =>
          expect((await parseMetrics(await server.metrics())).get("meshwork_redis_errors_total")).toBeGreaterThan(0),
        { timeout: 5_000 },
      );
      await redis.server.start();
      // The command connection and the bus's subscriber connection are both ready again.
      await vi.waitFor(
        async () => expect(parseMetrics(await server.metrics()).get("meshwork_redis_reconnects_total")).toBe(2),
        { timeout: 10_000, interval: 100 },
      );
    });
  });
});
