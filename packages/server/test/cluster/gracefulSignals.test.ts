import { createKeys } from "@meshwork/redis-state";
// enableGracefulShutdown() in a real process: SIGTERM lets the command in flight answer, the client moves on to
// the next URL, the instance leaves no state behind, and the process exits 0 within the bound.
import { afterEach, describe, expect, it } from "vitest";
import { killChildren, startChildInstance } from "./support/childInstance";
import { admin, connectClient, startInstance, testPrefix } from "./support/cluster";
import { TEST_REDIS_URL } from "./support/redis";
import { FAST_RECONNECTS, nextReconnect } from "./support/reconnects";

afterEach(killChildren);

describe("enableGracefulShutdown()", () => {
  it("on SIGTERM answers the command in flight, then exits 0 within the bound", async () => {
    const prefix = testPrefix();
    const shutdownTimeout = 5_000;
    const child = await startChildInstance({
      redis: TEST_REDIS_URL,
      keyPrefix: prefix,
      heartbeatInterval: 1_000,
      instanceTtl: 60_000,
      shutdownTimeout,
    });
    const B = await startInstance(prefix, { heartbeatInterval: 1_000, instanceTtl: 60_000 });
    const redis = admin();
    const client = await connectClient([child.url, B.url], FAST_RECONNECTS);
    expect(await redis.sismember(createKeys(prefix).instances(), child.instanceId)).toBe(1);

    const started = new Promise<void>((resolve) => {
      child.process.on("message", (message: { type?: string }) => {
        if (message.type === "slow-started") resolve();
      });
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.process.once("exit", (code, signal) => resolve({ code, signal }));
    });
    const answer = client.command("cluster-test/slow", 400);
    await started;
    const back = nextReconnect(client);
    const begin = performance.now();
    process.kill(child.pid, "SIGTERM");

    await expect(answer).resolves.toBe("slow done");
    expect(await exited).toEqual({ code: 0, signal: null });
    const took = performance.now() - begin;
    // Drain (the 400 ms command) plus the close steps; far below the bound of shutdownTimeout + 3 × closeTimeout.
    expect(took).toBeLessThan(shutdownTimeout);
    expect(await redis.sismember(createKeys(prefix).instances(), child.instanceId)).toBe(0);
    await back;
    expect(client.url).toBe(B.url);
    expect(child.output()).not.toMatch(/error/i);
  });
});
