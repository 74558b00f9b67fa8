import { describe, expect, it } from "vitest";
import { DEFAULT_SERVER_OPTIONS, MemoryState, MeshServer } from "../src/index";
import { RawClient } from "./support/rawClient";
import { MemoryLogger, startServer, track, uniquePrefix } from "./support/servers";

describe("options", () => {
  it("has documented defaults", () => {
    expect(DEFAULT_SERVER_OPTIONS).toEqual({
      pingInterval: 30_000,
      latencyInterval: 5_000,
      maxMissedPongs: 1,
      maxPayload: 1_048_576,
      maxBufferedBytes: 4_194_304,
      maxBadMessages: 100,
      badMessageWindow: 10_000,
      closeTimeout: 2_000,
      keyPrefix: "mesh:",
      heartbeatInterval: 2_000,
      instanceTtl: 6_000,
      clusterRequestTimeout: 5_000,
      badMessageReplies: 5,
      allowMissingOrigin: true,
      rateLimit: { commandsPerSecond: 2_000, burst: 4_000, maxRejected: 1_000, rejectWindow: 10_000 },
      maxSubscriptionsPerConnection: 1_000,
      maxConnections: 50_000,
      shutdownTimeout: 10_000,
    });
  });

  it("applies the defaults when options are left out", async () => {
    const { url } = await startServer();
    const client = await RawClient.connect(url);
    expect(client.hello).toMatchObject({ pingInterval: 30_000, latencyInterval: 5_000, maxPayload: 1_048_576 });
  });

  it("rejects contradictory or out-of-range options", () => {
    const logger = new MemoryLogger();
    expect(() => new MeshServer({ logger })).toThrow(/exactly one of/);
    expect(() => new MeshServer({ port: 0, noServer: true, logger })).toThrow(/exactly one of/);
    expect(() => new MeshServer({ noServer: true, host: "127.0.0.1", logger })).toThrow(/"host"/);
    expect(() => new MeshServer({ noServer: true, path: "mesh", logger })).toThrow(/"path"/);
    expect(() => new MeshServer({ noServer: true, pingInterval: -1, logger })).toThrow(/"pingInterval"/);
    expect(() => new MeshServer({ noServer: true, maxPayload: 0, logger })).toThrow(/"maxPayload"/);
    expect(() => new MeshServer({ port: 70_000, logger })).toThrow(/"port"/);
    const rateLimit = { commandsPerSecond: 0, burst: 1 };
    expect(() => new MeshServer({ noServer: true, rateLimit, logger })).toThrow(/"rateLimit.commandsPerSecond"/);
    expect(() => new MeshServer({ noServer: true, maxConnections: -1, logger })).toThrow(/"maxConnections"/);
    expect(() => new MeshServer({ noServer: true, maxSubscriptionsPerConnection: 1.5, logger })).toThrow(
      /"maxSubscriptionsPerConnection"/,
    );
    expect(() => new MeshServer({ noServer: true, shutdownTimeout: -1, logger })).toThrow(/"shutdownTimeout"/);
    // Braces would move the Redis Cluster hash tag every key carries (docs/redis-keys.md).
    expect(() => new MeshServer({ noServer: true, keyPrefix: "app:{1}:", logger })).toThrow(
      /key prefix must not contain "\{" or "\}"/,
    );
  });

  it("takes one state store at most, and a TTL longer than the heartbeat", () => {
    const logger = new MemoryLogger();
    const redis = "redis://127.0.0.1:6379";
    expect(() => new MeshServer({ noServer: true, redis, redisOptions: { port: 6379 }, logger })).toThrow(
      /at most one/,
    );
    expect(() => new MeshServer({ noServer: true, redis, state: new MemoryState(), logger })).toThrow(/at most one/);
    expect(() => new MeshServer({ noServer: true, heartbeatInterval: 1_000, instanceTtl: 1_000, logger })).toThrow(
      /instanceTtl/,
    );
  });

  it("logs once per logger that the default state is in memory, and not when a state is given", async () => {
    const logger = new MemoryLogger();
    track(new MeshServer({ noServer: true, keyPrefix: uniquePrefix(), logger }));
    track(new MeshServer({ noServer: true, keyPrefix: uniquePrefix(), logger }));
    const quiet = new MemoryLogger();
    track(new MeshServer({ noServer: true, state: new MemoryState(), logger: quiet }));

    expect(logger.lines.filter((line) => line.level === "info" && /memory/.test(line.message))).toHaveLength(1);
    expect(quiet.lines).toEqual([]);
  });

  it("shares the default in-memory state between servers with the same key prefix", async () => {
    const keyPrefix = uniquePrefix();
    const { server: first, url } = await startServer({ keyPrefix });
    const { server: second } = await startServer({ keyPrefix });
    const client = await RawClient.connect(url);
    await first.connectionManager.setMetadata(client.hello.connectionId, { seenBy: "first" });

    expect(await second.connectionManager.getMetadata(client.hello.connectionId)).toEqual({ seenBy: "first" });
  });
});
