// close() is graceful: commands already running finish and are answered before the clients are closed with
// 1001, commands arriving meanwhile are not run but sent again by the client after it reconnected elsewhere, and
// a command that never ends holds close() up no longer than shutdownTimeout.
import type { DisconnectInfo, MeshClient } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, startCluster, startInstance } from "./support/cluster";
import { FAST_RECONNECTS } from "./support/reconnects";

/** A promise with its resolver, for handlers a test releases by hand. */
function latch<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function nextDisconnect(client: MeshClient): Promise<DisconnectInfo> {
  return new Promise((resolve) => client.once("disconnect", (info) => resolve(info)));
}

describe("graceful close()", () => {
  it("lets a command already running finish; its answer arrives, then the client gets 1001", async () => {
    const { nodes } = await startCluster(1, { shutdownTimeout: 5_000 });
    const [A] = nodes as [Instance];
    const started = latch();
    const release = latch<string>();
    A.server.registerCommand("slow", async () => {
      started.resolve();
      return `done: ${await release.promise}`;
    });
    const client = await connectClient(A.url, { shouldReconnect: false });
    const disconnected = nextDisconnect(client);
    const answer = client.command("slow", null);
    await started.promise;

    let closed = false;
    const closing = A.server.close().then(() => (closed = true));
    // While the command runs, close() waits, and the client is still connected.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(closed).toBe(false);
    expect(client.status).toBe("online");
    release.resolve("slowly");

    await expect(answer).resolves.toBe("done: slowly");
    expect(await disconnected).toMatchObject({ code: 1001, action: "retry" });
    await closing;
  });

  it("answers a command arriving during shutdown with SHUTTING_DOWN, which the client sends again elsewhere", async () => {
    const { nodes } = await startCluster(2, { shutdownTimeout: 5_000 });
    const [A, B] = nodes as [Instance, Instance];
    const ran: string[] = [];
    const started = latch();
    const release = latch();
    for (const { server } of [A, B]) {
      server.registerCommand("where", (ctx) => {
        ran.push(server.instanceId);
        return { instanceId: server.instanceId, payload: ctx.payload };
      });
    }
    A.server.registerCommand("slow", async () => {
      started.resolve();
      await release.promise;
      return "slow done";
    });
    const client = await connectClient([A.url, B.url], FAST_RECONNECTS);
    const slow = client.command("slow", null);
    await started.promise;
    const closing = A.server.close();

    // Arrives while A drains: A does not run it, the client keeps it and sends it once it is on B.
    const where = client.command("where", "late");
    // A refuses new upgrades meanwhile.
    await expect(connectClient(A.url, { shouldReconnect: false })).rejects.toMatchObject({ code: "NOT_CONNECTED" });
    release.resolve();

    await expect(slow).resolves.toBe("slow done");
    await expect(where).resolves.toEqual({ instanceId: B.server.instanceId, payload: "late" });
    expect(ran).toEqual([B.server.instanceId]);
    expect(client.url).toBe(B.url);
    await closing;
  });

  it("waits at most shutdownTimeout for a command that never ends, then closes anyway", async () => {
    const shutdownTimeout = 300;
    const closeTimeout = 200;
    const { nodes } = await startCluster(1, { shutdownTimeout, closeTimeout, allowErrors: true });
    const [A] = nodes as [Instance];
    const started = latch();
    A.server.registerCommand("forever", () => {
      started.resolve();
      return new Promise(() => {});
    });
    const client = await connectClient(A.url, { shouldReconnect: false });
    const disconnected = nextDisconnect(client);
    // Settled when the connection closes, possibly before close() resolves: assert on it from the start.
    const answered = expect(client.command("forever", null, { timeout: 10_000 })).rejects.toMatchObject({
      code: "CONNECTION_CLOSED",
    });
    await started.promise;

    const begin = performance.now();
    await A.server.close();
    const took = performance.now() - begin;

    // The bound is shutdownTimeout for the drain plus closeTimeout per later step; here nothing else is slow.
    expect(took).toBeGreaterThanOrEqual(shutdownTimeout - 20);
    expect(took).toBeLessThan(shutdownTimeout + 3 * closeTimeout + 500);
    expect(await disconnected).toMatchObject({ code: 1001 });
    await answered;
    expect(A.errors.map((error) => error.message)).toEqual([
      expect.stringContaining("still running after shutdownTimeout"),
    ]);
  });

  it("closes at once when no command is running, whatever shutdownTimeout says", async () => {
    const prefixCluster = await startCluster(1, { shutdownTimeout: 60_000 });
    const [A] = prefixCluster.nodes as [Instance];
    A.server.registerCommand("quick", async () => "quick");
    const client = await connectClient(A.url, { shouldReconnect: false });
    expect(await client.command("quick", null)).toBe("quick");
    const begin = performance.now();
    await A.server.close();
    expect(performance.now() - begin).toBeLessThan(2_000);
    // A second instance on the same prefix starts cleanly afterwards: nothing of the first is in its way.
    await startInstance(prefixCluster.prefix);
  });
});
