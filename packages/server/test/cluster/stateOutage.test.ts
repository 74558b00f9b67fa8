// The shared state taken away and given back. Two instances run on a redis-server this file starts itself; it is
// killed (not restarted) mid-test. Every operation that needs the state, from the server API and from clients,
// must reject within the documented bound with STATE_UNAVAILABLE, again and again (before, each call waited out
// more of ioredis's reconnect attempts than the one before); health() and its HTTP handler must say so. Then
// Redis comes back on the same port, empty, and everything must resume without restarting anything.
import { request } from "node:http";
import type { MeshClient } from "@meshwork/client";
import { type HealthReport, createHealthHandler } from "@meshwork/server";
import { describe, expect, it } from "vitest";
import { type Instance, admin, connectClient, eventually, startCluster } from "./support/cluster";
import { privateRedisServer } from "./support/privateRedisServer";
import { collectUnhandledRejections } from "../support/unhandledRejections";

// The documented bound is 1 s (docs/operations.md); the margin covers a loaded test machine.
const BOUND_MS = 1_500;
const ROUNDS = 4;

const own = privateRedisServer();
const unhandled = collectUnhandledRejections();

/** The error `operation` rejects with and how long it took; fails the test if it resolves. */
async function rejection(operation: () => Promise<unknown>): Promise<{ code: unknown; ms: number; error: Error }> {
  const started = performance.now();
  try {
    await operation();
  } catch (error) {
    return { code: (error as { code?: unknown }).code, ms: performance.now() - started, error: error as Error };
  }
  throw new Error("the operation succeeded while Redis was down");
}

/** GET on a server's own listener: status and parsed JSON body. */
function httpGet(port: number, path: string): Promise<{ status: number; body: HealthReport }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as HealthReport }));
    });
    req.on("error", reject);
    req.end();
  });
}

type Client = MeshClient & { connectionId: string };

function expose(node: Instance): void {
  node.server.exposeWritableRecord(/^doc:/);
  node.server.exposeChannel(/^news/);
  node.server.exposeRoom(/^lobby/);
  node.server.trackPresence(/^lobby/);
  node.server.registerCommand("whoami", () => node.server.instanceId);
  // A user command whose handler needs the state.
  node.server.registerCommand("stamp", (ctx) => ctx.server.publishRecordUpdate("doc:stamp", { at: ctx.payload }));
}

describe("shared state unreachable", () => {
  it("rejects promptly with STATE_UNAVAILABLE, reports it in health(), and resumes by itself when Redis returns", async () => {
    const { nodes } = await startCluster(2, {
      redis: own.server.url,
      heartbeatInterval: 200,
      instanceTtl: 1_000,
      healthPath: "/healthz",
      allowErrors: true,
    });
    const [A, B] = nodes as [Instance, Instance];
    for (const node of nodes) expose(node);
    const a1: Client = await connectClient(A.url);
    const b1: Client = await connectClient(B.url);
    const record: unknown[] = [];
    await a1.subscribeRecord("doc:1", (update: { full?: unknown }) => void record.push(update.full));
    const news: unknown[] = [];
    await b1.subscribe("news", (message: unknown) => void news.push(message));
    await A.server.publishRecordUpdate("doc:1", { n: 0 });
    await eventually(() => expect(record.at(-1)).toEqual({ n: 0 }));
    await eventually(async () => expect((await A.server.health()).status).toBe("ok"));
    expect((await httpGet(A.server.port!, "/healthz")).status).toBe(200);

    await own.server.stop("SIGKILL");
    await eventually(async () => expect((await A.server.health()).redis.reachable).toBe(false));

    const server = A.server;
    const serverCalls: Record<string, () => Promise<unknown>> = {
      publishRecordUpdate: () => server.publishRecordUpdate("doc:1", { n: Math.random() }),
      getRecord: () => server.getRecord("doc:1"),
      addToRoom: () => server.addToRoom("lobby", a1.connectionId),
      getRoomMembers: () => server.getRoomMembers("lobby"),
      setConnectionMetadata: () => server.connectionManager.setMetadata(a1.connectionId, { userId: "u1" }),
      getConnectionMetadata: () => server.connectionManager.getMetadata(a1.connectionId),
      updateRoomMetadata: () => server.roomManager.updateMetadata("lobby", { topic: "x" }),
      publishToChannel: () => server.publishToChannel("news", "lost", 10),
      getPresence: () => server.getPresence("lobby"),
    };
    const clientCalls: Record<string, () => Promise<unknown>> = {
      writeRecord: () => a1.publishRecordUpdate("doc:1", { n: Math.random() }),
      subscribeRecord: () => a1.subscribeRecord("doc:2", () => {}),
      subscribeChannel: () => a1.subscribe("news-2", () => {}),
      joinRoom: () => a1.joinRoom("lobby"),
      subscribePresence: () => a1.subscribePresence("lobby-2", () => {}),
      userCommand: () => a1.command("stamp", 1),
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, call] of Object.entries({ ...serverCalls, ...clientCalls })) {
        const { code, ms, error } = await rejection(call);
        expect({ name, round, code }).toEqual({ name, round, code: "STATE_UNAVAILABLE" });
        expect(ms, `${name} in round ${round}: ${error.message}`).toBeLessThan(BOUND_MS);
      }
    }
    // The server error keeps what ioredis said as its cause, and names the problem.
    const { error } = await rejection(serverCalls.publishRecordUpdate!);
    expect(error.message).toMatch(/shared state is unreachable/);

    // Health says why, and the HTTP handler turns load balancers away.
    const degraded = await A.server.health();
    expect(degraded.status).toBe("degraded");
    expect(degraded.listening).toBe(true);
    expect(degraded.redis).toMatchObject({ kind: "redis", reachable: false, error: expect.stringMatching(/\S/) });
    expect(degraded.reasons.join("; ")).toMatch(/shared state is unreachable/);
    const overHttp = await httpGet(A.server.port!, "/healthz?probe=lb");
    expect(overHttp.status).toBe(503);
    expect(overHttp.body.redis.reachable).toBe(false);
    // Commands that need no state still work, and the clients stay connected.
    expect(await a1.command("whoami")).toBe(A.server.instanceId);
    expect(a1.status).toBe("online");

    // Redis comes back, empty, on the same port; nothing is restarted.
    await own.server.start();
    await eventually(async () => {
      const report = await A.server.health();
      expect(report).toMatchObject({ status: "ok", reasons: [], heartbeat: { fresh: true } });
      expect(report.redis.latencyMs).toBeGreaterThanOrEqual(0);
      expect((await B.server.health()).status).toBe("ok");
    }, 8_000);
    expect((await httpGet(B.server.port!, "/healthz")).status).toBe(200);

    // The record subscriber on A converges to a write made on B (its record topic was subscribed again).
    let n = 0;
    await eventually(async () => {
      const value = { n: ++n, from: "B" };
      await B.server.publishRecordUpdate("doc:1", value);
      await eventually(() => expect(record.at(-1)).toEqual(value), 500);
    }, 8_000);
    // A channel message crosses from A to B's subscriber.
    await eventually(async () => {
      const message = `after-${++n}`;
      await A.server.publishToChannel("news", message);
      await eventually(() => expect(news).toContain(message), 500);
    }, 8_000);
    // Client operations that were refused work again.
    expect(await a1.command("stamp", 2)).toBeGreaterThan(0);
    expect((await a1.joinRoom("lobby")).success).toBe(true);
    expect(await B.server.isInRoom("lobby", a1.connectionId)).toBe(true);
    await a1.publishRecordUpdate("doc:1", { n: "client" });
    await eventually(() => expect(record.at(-1)).toEqual({ n: "client" }));
    expect(unhandled).toEqual([]);
  }, 40_000);
});

describe("shared state not answering", () => {
  it("fails a command Redis does not answer after the command timeout, and reports it in health()", async () => {
    const { nodes } = await startCluster(1, { redis: own.server.url, allowErrors: true });
    const [A] = nodes as [Instance];
    await A.server.publishRecordUpdate("doc:paused", { n: 1 });
    // Redis holds every client's commands for 2.5 s: the connection stays open, nothing is answered.
    await admin(own.server.url).client("PAUSE", 2_500, "ALL");
    const started = performance.now();
    const [write, report] = await Promise.all([
      rejection(() => A.server.publishRecordUpdate("doc:paused", { n: 2 })),
      A.server.health(),
    ]);
    expect(write.code).toBe("STATE_UNAVAILABLE");
    expect(write.ms).toBeGreaterThanOrEqual(900);
    expect(write.ms).toBeLessThan(BOUND_MS);
    expect(report.status).toBe("degraded");
    expect(report.redis).toMatchObject({ reachable: false, error: expect.stringMatching(/PING/) });
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    // Once Redis answers again, so does everything else.
    await eventually(async () => expect((await A.server.health()).status).toBe("ok"), 5_000);
    expect(await A.server.publishRecordUpdate("doc:paused", { n: 3 })).toBeGreaterThan(1);
  });
});

describe("health", () => {
  it("reports an embedded-state server ok, and closing once close() was called", async () => {
    const { MeshServer } = await import("@meshwork/server");
    const server = new MeshServer({ port: 0, host: "127.0.0.1", keyPrefix: `health-${Math.random()}:`, logger: quiet });
    await server.ready();
    await eventually(async () => expect((await server.health()).status).toBe("ok"));
    const report = await server.health();
    expect(report).toMatchObject({ listening: true, connections: 0, redis: { kind: "memory", reachable: true } });
    const { createServer } = await import("node:http");
    const http = createServer(createHealthHandler(server));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    try {
      const port = (http.address() as { port: number }).port;
      expect((await httpGet(port, "/anything")).status).toBe(200);
      await server.close();
      const closed = await httpGet(port, "/");
      expect(closed.status).toBe(503);
      expect(closed.body).toMatchObject({ status: "closing", listening: false });
    } finally {
      await server.close();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
