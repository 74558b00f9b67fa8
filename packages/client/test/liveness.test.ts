import { describe, expect, it, vi } from "vitest";
import { createClient, recordEvents, startServer } from "./support/clientHarness";

describe("MeshClient liveness and latency", () => {
  it("answers a ping with a pong at once and emits 'ping'", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    let pings = 0;
    client.on("ping", () => (pings += 1));
    await client.connect();

    server.latest.ping();
    await vi.waitFor(() => expect(server.latest.received).toContainEqual({ type: "pong" }));
    expect(pings).toBe(1);
  });

  it("answers a latency probe with the probe's id", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    await client.connect();

    server.latest.send({ type: "latency-probe", id: 42 });
    await vi.waitFor(() => expect(server.latest.received).toContainEqual({ type: "latency-reply", id: 42 }));
  });

  it("exposes the server's latency report as client.latency and a 'latency' event", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    const reports: number[] = [];
    client.on("latency", (ms) => reports.push(ms));
    await client.connect();
    expect(client.latency).toBeUndefined();

    server.latest.send({ type: "latency", ms: 17 });
    server.latest.send({ type: "latency", ms: 23 });
    await vi.waitFor(() => expect(reports).toEqual([17, 23]));
    expect(client.latency).toBe(23);
  });

  it("keeps a connection whose pings keep coming", async () => {
    const server = await startServer({ pingInterval: 30, autoPing: true });
    // Two missed checks of slack keep a loaded test machine from looking like a dead server.
    const client = createClient(server.url, { pingTimeout: 30, maxMissedPings: 2 });
    let pings = 0;
    client.on("ping", () => (pings += 1));
    await client.connect();

    await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(8), { timeout: 5_000 });
    expect(server.connections).toHaveLength(1);
    expect(client.status).toBe("online");
  });

  it("drops the socket and reconnects when pings stop", async () => {
    const server = await startServer({ pingInterval: 30, autoPing: true });
    const client = createClient(server.url, { pingTimeout: 30, maxMissedPings: 1 });
    const log = recordEvents(client, ["disconnect", "reconnect"]);
    const disconnects: unknown[] = [];
    client.on("disconnect", (info) => disconnects.push(info));
    await client.connect();
    const firstId = client.connectionId;

    server.latest.stopPinging();
    await vi.waitFor(() => expect(log).toEqual(["disconnect", "reconnect"]), { timeout: 5_000 });
    expect(disconnects).toEqual([{ code: 4000, reason: "ping timeout", action: "retry" }]);
    expect(client.connectionId).not.toBe(firstId);
    expect(client.connectionId).toBe(server.latest.id);
  });

  it("never drops a healthy connection when pingTimeout is shorter than the server's ping interval", async () => {
    const server = await startServer({ pingInterval: 150, autoPing: true });
    const client = createClient(server.url, { pingTimeout: 10, maxMissedPings: 1 });
    let pings = 0;
    client.on("ping", () => (pings += 1));
    await client.connect();

    await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(4), { timeout: 5_000 });
    expect(server.connections).toHaveLength(1);
  });
});
