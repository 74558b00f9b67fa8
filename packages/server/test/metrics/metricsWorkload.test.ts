import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { type MeshServer, createMetricsHandler } from "../../src/index";
import { TEST_REDIS_URL } from "../cluster/support/redis";
import { parseMetrics, seriesOf } from "../support/metricsText";
import { RawClient } from "../support/rawClient";
import { startServer } from "../support/servers";

// The workload's sizes; every expected count below follows from them.
const ROOM_MEMBERS = 5; // R
const BROADCASTS = 3; // P
const OK_COMMANDS = 8; // M - K
const FAILING_COMMANDS = 4; // K, each answered with the code NOPE
const UNKNOWN_COMMANDS = 2;
const BAD_FRAMES = 2;
const BURST = 20;
const FLOOD = 25; // requests of the flooding connection: BURST run, the rest RATE_LIMITED

async function scrape(server: MeshServer): Promise<Map<string, number>> {
  return parseMetrics(await server.metrics());
}

async function httpGet(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
}

describe("metrics after a scripted workload", () => {
  it("count exactly the connections, commands, broadcasts, deliveries, drops, limits and presence it made", async () => {
    const { server, url } = await startServer({
      redis: TEST_REDIS_URL,
      metrics: true,
      metricsPath: "/metrics",
      pingInterval: 0,
      latencyInterval: 0,
      maxBufferedBytes: 64 * 1024,
      closeTimeout: 200,
      // Refills about nothing during the test: a connection gets BURST requests, then RATE_LIMITED.
      rateLimit: { commandsPerSecond: 0.001, burst: BURST, maxRejected: 1_000 },
    });
    server.registerCommand("ok", () => "fine");
    server.registerCommand("fail", () => {
      throw Object.assign(new Error("nope"), { code: "NOPE" });
    });
    server.exposeRoom("lobby");
    server.trackPresence("lobby");

    const members = await Promise.all(Array.from({ length: ROOM_MEMBERS }, () => RawClient.connect(url)));
    const flooder = await RawClient.connect(url);
    const [caller] = members as [RawClient];
    for (const member of members) {
      expect((await member.request("mesh/join-room", { roomName: "lobby" })).type).toBe("response");
    }
    for (let i = 0; i < OK_COMMANDS; i++) expect((await caller.request("ok")).result).toBe("fine");
    for (let i = 0; i < FAILING_COMMANDS; i++) {
      expect(((await caller.request("fail")).error as { code: string }).code).toBe("NOPE");
    }
    for (let i = 0; i < UNKNOWN_COMMANDS; i++) await caller.request(`made-up-${i}`);
    for (let i = 0; i < BAD_FRAMES; i++) caller.sendRaw("not json");
    await vi.waitFor(() =>
      expect(caller.frames.filter((frame) => frame.type === "error" && frame.id === undefined)).toHaveLength(
        BAD_FRAMES,
      ),
    );
    const flood = await Promise.all(Array.from({ length: FLOOD }, () => flooder.request("ok")));
    expect(flood.filter((frame) => frame.type === "error")).toHaveLength(FLOOD - BURST);
    for (let i = 0; i < BROADCASTS; i++) await server.broadcastRoom("lobby", "news", i);
    for (const member of members) {
      await vi.waitFor(() => expect(member.frames.filter((frame) => frame.type === "push")).toHaveLength(BROADCASTS));
    }

    const connections = ROOM_MEMBERS + 1;
    const requests = ROOM_MEMBERS + OK_COMMANDS + FAILING_COMMANDS + UNKNOWN_COMMANDS + FLOOD;
    // A hello per connection, an answer per request, an answer per bad frame, each broadcast to each member.
    const delivered = connections + requests + BAD_FRAMES + BROADCASTS * ROOM_MEMBERS;
    const first = await scrape(server);
    expect(first.get("meshwork_connections")).toBe(connections);
    expect(first.get("meshwork_connections_opened_total")).toBe(connections);
    expect(seriesOf(first, "meshwork_commands_total")).toEqual({
      'meshwork_commands_total{command="ok",outcome="ok"}': OK_COMMANDS + BURST,
      'meshwork_commands_total{command="fail",outcome="NOPE"}': FAILING_COMMANDS,
      'meshwork_commands_total{command="mesh/join-room",outcome="ok"}': ROOM_MEMBERS,
      'meshwork_commands_total{command="unknown",outcome="UNKNOWN_COMMAND"}': UNKNOWN_COMMANDS,
    });
    expect(first.get('meshwork_command_duration_seconds_count{command="ok"}')).toBe(OK_COMMANDS + BURST);
    expect(first.get('meshwork_command_duration_seconds_count{command="fail"}')).toBe(FAILING_COMMANDS);
    expect(first.get('meshwork_command_duration_seconds_bucket{command="ok",le="+Inf"}')).toBe(OK_COMMANDS + BURST);
    expect(first.get("meshwork_rate_limited_requests_total")).toBe(FLOOD - BURST);
    expect(first.get('meshwork_broadcasts_total{kind="room"}')).toBe(BROADCASTS);
    expect(first.get('meshwork_broadcasts_total{kind="direct"}')).toBe(0);
    expect(first.get("meshwork_deliveries_total")).toBe(delivered);
    expect(first.get('meshwork_messages_dropped_total{reason="bad_frame"}')).toBe(BAD_FRAMES);
    expect(first.get('meshwork_messages_dropped_total{reason="connection_closed"}')).toBe(0);
    expect(first.get("meshwork_presence_members")).toBe(ROOM_MEMBERS);
    expect(first.get("meshwork_slow_consumer_closes_total")).toBe(0);
    expect(first.get("meshwork_redis_errors_total")).toBe(0);
    expect(first.get("meshwork_redis_reconnects_total")).toBe(0);

    // A slow consumer: it stops reading and is sent 16 kB pushes until it is closed at its cap.
    const slow = await RawClient.connect(url);
    slow.socket.pause();
    const closed = new Promise<number>((resolve) => {
      server.on("disconnected", (connection, info) => {
        if (connection.id === slow.hello.connectionId) resolve(info.code);
      });
    });
    let written = 0;
    let sends = 0;
    while (sends < 1_000) {
      sends++;
      if (!(await server.sendTo(slow.hello.connectionId, "blob", "x".repeat(16 * 1024)))) break;
      written++;
    }
    expect(await closed).toBe(4004);
    // A member leaves: its socket closes without a code (1005), and its presence goes with it.
    const leaving = members[ROOM_MEMBERS - 1] as RawClient;
    await leaving.close();
    await vi.waitFor(async () =>
      expect((await scrape(server)).get("meshwork_presence_members")).toBe(ROOM_MEMBERS - 1),
    );

    const second = await scrape(server);
    expect(second.get("meshwork_connections")).toBe(connections - 1);
    expect(second.get("meshwork_connections_opened_total")).toBe(connections + 1);
    expect(seriesOf(second, "meshwork_connections_closed_total")).toEqual({
      'meshwork_connections_closed_total{code="4004"}': 1,
      'meshwork_connections_closed_total{code="1005"}': 1,
    });
    expect(second.get("meshwork_slow_consumer_closes_total")).toBe(1);
    expect(second.get('meshwork_broadcasts_total{kind="direct"}')).toBe(sends);
    // The push that found the connection closed is the one dropped; every earlier one was written.
    expect(second.get('meshwork_messages_dropped_total{reason="connection_closed"}')).toBe(sends - written);
    expect(second.get("meshwork_deliveries_total")).toBe(delivered + 1 + written);

    // The same numbers over HTTP: the owned listener's metricsPath, and the handler on an HTTP server of the app's.
    const owned = await httpGet(`http://127.0.0.1:${server.port}/metrics?x=1`);
    expect(owned.status).toBe(200);
    expect(owned.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(parseMetrics(owned.body)).toEqual(second);
    const app = createServer(createMetricsHandler(server));
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    try {
      const mounted = await httpGet(`http://127.0.0.1:${(app.address() as AddressInfo).port}/`);
      expect(mounted.status).toBe(200);
      expect(parseMetrics(mounted.body)).toEqual(second);
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
    slow.socket.terminate();
    await Promise.all([...members.slice(0, -1), flooder].map((client) => client.close()));
  });
});
