// Losing Redis (original Mesh weakness 32: silent loss, no resubscribe after a Redis reconnect). Two instances
// run on a redis-server this test starts itself; it is killed and started again, empty, on the same port. The
// instances must stay up and keep serving locally while it is gone, say so through `error`, and on its return
// resubscribe, tell their clients the state was reset (4006, so they reconnect and subscribe afresh) and carry
// cross-instance traffic again, without being restarted.
import { CLOSE_CODES } from "@meshwork/protocol";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, recordPushes, startCluster } from "./support/cluster";
import { privateRedisServer } from "./support/privateRedisServer";
import { collectUnhandledRejections } from "../support/unhandledRejections";

// The Redis process lives for the file, not the test: the harness closes the instances after each test, and
// they should close against a Redis that is up (closing while it is down waits out ioredis's retries).
const own = privateRedisServer();
const unhandled = collectUnhandledRejections();

describe("Redis lost and back", () => {
  it("instances keep serving locally without Redis, report it, and recover cross-instance traffic and state when it returns", async () => {
    const { nodes } = await startCluster(2, {
      redis: own.server.url,
      heartbeatInterval: 200,
      instanceTtl: 1_000,
      allowErrors: true,
    });
    const [A, B] = nodes as [Instance, Instance];
    for (const node of [A, B]) node.server.registerCommand("whoami", () => node.server.instanceId);
    const [a1, b1] = await Promise.all([connectClient(A.url), connectClient(B.url)]);
    await A.server.addToRoom("room", a1.connectionId);
    await A.server.addToRoom("room", b1.connectionId);
    await B.server.connectionManager.setMetadata(a1.connectionId, { userId: "a1" });
    const got = {
      a1: { all: recordPushes<string>(a1, "all"), room: recordPushes<string>(a1, "room") },
      b1: { all: recordPushes<string>(b1, "all"), room: recordPushes<string>(b1, "room") },
    };

    // Baseline: cross-instance traffic works.
    await A.server.broadcastRoom("room", "room", "before");
    await B.server.broadcast("all", "before");
    await eventually(() => {
      expect(got.b1.room).toEqual(["before"]);
      expect(got.a1.all).toEqual(["before"]);
    });

    // Redis goes away.
    await own.server.stop("SIGKILL");
    const refused = `ECONNREFUSED 127.0.0.1:${own.server.port}`;
    await eventually(() => {
      expect(A.errors.map((error) => error.message)).toContainEqual(expect.stringContaining(refused));
      expect(B.errors.map((error) => error.message)).toContainEqual(expect.stringContaining(refused));
    });

    // Both instances still answer commands, and a broadcast's local part is still delivered. The publish part
    // cannot happen: the returned promise rejects (after ioredis's retries) instead of hanging or lying.
    expect(await a1.command("whoami")).toBe(A.server.instanceId);
    expect(await b1.command("whoami")).toBe(B.server.instanceId);
    // Settled from the start: the publishes can fail while the local deliveries are still being checked.
    const whileDown = Promise.allSettled([
      A.server.broadcast("all", "while-down"),
      B.server.broadcastRoom("room", "room", "while-down"),
    ]);
    await eventually(() => {
      expect(got.a1.all).toContain("while-down");
      expect(got.b1.room).toContain("while-down");
    });
    const settled = await Promise.race([
      whileDown,
      new Promise((resolve) => setTimeout(() => resolve("pending"), 5_000)),
    ]);
    expect(settled).not.toBe("pending");
    expect((settled as PromiseSettledResult<void>[]).map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect(A.server.port).toBeGreaterThan(0);

    // Redis comes back, empty, on the same port. The instances are not restarted, but they notice the store lost
    // its data and close their clients with STATE_RESET, so the clients reconnect and subscribe afresh.
    const closes: number[] = [];
    for (const client of [a1, b1]) client.on("disconnect", (info) => void closes.push(info.code));
    await own.server.start();
    await eventually(() => {
      expect(closes).toEqual([CLOSE_CODES.STATE_RESET.code, CLOSE_CODES.STATE_RESET.code]);
      expect([a1.status, b1.status]).toEqual(["online", "online"]);
    }, 8_000);
    // Server-side rooms belong to connections: the application adds the reconnected ones again, as after any reconnect.
    await A.server.addToRoom("room", a1.connectionId);
    await A.server.addToRoom("room", b1.connectionId);

    // Cross-instance broadcasts work again (subscriptions restored), in both directions, to all and to the room.
    // Each instance tags what it sends, and each client is checked for the OTHER instance's tag: its own
    // instance's copy arrives locally and proves nothing about Redis.
    let attempt = 0;
    await eventually(async () => {
      const tag = `after-${attempt++}`;
      await Promise.allSettled([
        A.server.broadcast("all", `A/${tag}`),
        B.server.broadcast("all", `B/${tag}`),
        A.server.broadcastRoom("room", "room", `A/${tag}`),
        B.server.broadcastRoom("room", "room", `B/${tag}`),
      ]);
      await eventually(() => {
        expect(got.b1.all).toContain(`A/${tag}`);
        expect(got.a1.all).toContain(`B/${tag}`);
        expect(got.b1.room).toContain(`A/${tag}`);
        expect(got.a1.room).toContain(`B/${tag}`);
      }, 500);
    }, 8_000);

    // The new Redis knows both (reconnected) connections and their memberships.
    await eventually(async () => {
      expect((await B.server.getRoomMembers("room")).sort()).toEqual([a1.connectionId, b1.connectionId].sort());
      expect(await A.server.isInRoom("room", b1.connectionId)).toBe(true);
      expect((await A.server.connectionManager.getAllMetadata()).map((entry) => Object.keys(entry)[0]).sort()).toEqual(
        [a1.connectionId, b1.connectionId].sort(),
      );
    }, 5_000);
    // So routing by id and room changes across instances work again.
    const direct = recordPushes<string>(a1, "direct");
    expect(await B.server.sendTo(a1.connectionId, "direct", "found")).toBe(true);
    await eventually(() => expect(direct).toEqual(["found"]));
    await B.server.addToRoom("new-room", a1.connectionId);
    const fresh = recordPushes<string>(a1, "fresh");
    await B.server.broadcastRoom("new-room", "fresh", "joined-after-outage");
    await eventually(() => expect(fresh).toEqual(["joined-after-outage"]));
    // Connection metadata does not survive an empty Redis: an app that keeps auth data there sets it again when
    // the client reconnects (authenticateConnection's result is set again on every connection).
    expect(await A.server.connectionManager.getMetadata(a1.connectionId)).toBeNull();

    // Still serving, and nothing was left unhandled.
    expect(await a1.command("whoami")).toBe(A.server.instanceId);
    expect(a1.status).toBe("online");
    expect(b1.status).toBe("online");
    expect(unhandled).toEqual([]);
  });

  it("closes promptly while Redis is away instead of waiting out its reconnect attempts", async () => {
    const { nodes } = await startCluster(1, {
      redis: own.server.url,
      heartbeatInterval: 200,
      instanceTtl: 1_000,
      closeTimeout: 500,
      allowErrors: true,
    });
    const [A] = nodes as [Instance];
    const client = await connectClient(A.url, { shouldReconnect: false });
    await A.server.addToRoom("room", client.connectionId);
    await own.server.stop("SIGKILL");
    try {
      const started = Date.now();
      await A.server.close();
      // Sockets, unregistering and leaving the cluster get closeTimeout each; not ioredis's
      // retries, which would take many seconds. Leaving the cluster is refused at once (STATE_UNAVAILABLE),
      // or, if it were waiting, cut off at closeTimeout: either way it is reported.
      expect(Date.now() - started).toBeLessThan(3 * 500 + 1_000);
      expect(A.errors.map((error) => error.message)).toContainEqual(
        expect.stringMatching(/could not leave the cluster|shared state is unreachable/),
      );
    } finally {
      await own.server.start();
    }
  });
});
