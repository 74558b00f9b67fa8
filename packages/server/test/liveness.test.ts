import { describe, expect, it, vi } from "vitest";
import { CLOSE_CODES, type Connection, type DisconnectInfo } from "../src/index";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

describe("liveness and latency", () => {
  it("closes a connection that never answers pings with 4000 and reports it once; one that answers stays", async () => {
    const { server, url } = await startServer({ pingInterval: 100, maxMissedPongs: 1, latencyInterval: 0 });
    const disconnected: Array<[string, DisconnectInfo]> = [];
    server.on("disconnected", (connection, info) => {
      disconnected.push([connection.id, info]);
    });
    const silent = await RawClient.connect(url, { autoPong: false });
    const healthy = await RawClient.connect(url);

    const closed = await silent.closed;
    expect(closed.code).toBe(CLOSE_CODES.PING_TIMEOUT.code);
    // More than maxMissedPongs (1) unanswered pings: the third tick closes it.
    expect(silent.framesOf("ping").length).toBe(2);
    await vi.waitFor(() => expect(disconnected).toHaveLength(1));
    expect(disconnected[0]).toEqual([silent.hello.connectionId, { code: 4000, reason: "ping timeout" }]);

    // The healthy connection outlives several more ping rounds and still works.
    await healthy.waitFor(() => healthy.framesOf("ping").length >= 6, 3_000);
    server.registerCommand("alive", () => "yes");
    expect((await healthy.request("alive")).result).toBe("yes");
    expect(server.connectionManager.getLocalConnections().map((connection) => connection.id)).toEqual([
      healthy.hello.connectionId,
    ]);
    expect(disconnected).toHaveLength(1);
  });

  it("with maxMissedPongs 0, closes after one unanswered ping", async () => {
    const { url } = await startServer({ pingInterval: 50, maxMissedPongs: 0, latencyInterval: 0 });
    const silent = await RawClient.connect(url, { autoPong: false });

    expect((await silent.closed).code).toBe(4000);
    expect(silent.framesOf("ping")).toHaveLength(1);
  });

  it("measures the round trip on the server and sends it to the client", async () => {
    const { server, url } = await startServer({ latencyInterval: 40, pingInterval: 0 });
    const connected = new Promise<Connection>((resolve) => server.once("connected", resolve));
    const client = await RawClient.connect(url);
    const connection = await connected;

    const latency = await client.waitFor((frame) => frame.type === "latency");
    expect(latency.ms).toBeGreaterThan(0);
    expect(latency.ms).toBeLessThan(1_000);
    expect(connection.latency).toBeGreaterThan(0);
    const probe = client.framesOf("latency-probe")[0];
    expect(probe).toEqual({ type: "latency-probe", id: expect.any(Number) });
  });

  it("does not measure a reply to a stale or repeated probe", async () => {
    const { server, url } = await startServer({ latencyInterval: 40, pingInterval: 0 });
    const connected = new Promise<Connection>((resolve) => server.once("connected", resolve));
    const client = await RawClient.connect(url, { autoLatencyReply: false });
    const connection = await connected;

    const probe = await client.waitFor((frame) => frame.type === "latency-probe");
    client.send({ type: "latency-reply", id: (probe.id as number) + 1000 });
    client.send({ type: "latency-reply", id: probe.id });
    client.send({ type: "latency-reply", id: probe.id });
    await client.waitFor((frame) => frame.type === "latency");
    server.registerCommand("sync", () => true);
    await client.request("sync");
    expect(client.framesOf("latency")).toHaveLength(1);
    expect(connection.latency).toBeGreaterThan(0);
  });

  it("announces its timing in hello", async () => {
    const { url } = await startServer({ pingInterval: 1234, latencyInterval: 567, maxPayload: 4096 });
    const client = await RawClient.connect(url);

    expect(client.hello).toEqual({
      type: "hello",
      connectionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      protocol: 1,
      pingInterval: 1234,
      latencyInterval: 567,
      maxPayload: 4096,
    });
  });
});
