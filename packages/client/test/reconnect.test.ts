import { CLOSE_CODES } from "@meshwork/protocol";
import { describe, expect, it, vi } from "vitest";
import type { MeshError } from "../src/node";
import { sessionOf } from "../src/session";
import {
  countingWebSocket,
  createClient,
  quietPeriod,
  recordEvents,
  rejection,
  startServer,
} from "./support/clientHarness";

describe("MeshClient reconnect", () => {
  it("reconnects after a server restart on the same port with a new connectionId", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    const disconnects: unknown[] = [];
    client.on("disconnect", (info) => disconnects.push(info));
    const reconnected = new Promise<string>((resolve) => client.on("reconnect", (info) => resolve(info.connectionId)));
    await client.connect();
    const firstId = client.connectionId;

    await server.stop();
    await vi.waitFor(() => expect(client.status).toBe("reconnecting"));
    await server.restart();
    const newId = await reconnected;

    expect(newId).not.toBe(firstId);
    expect(client.connectionId).toBe(newId);
    expect(newId).toBe(server.latest.id);
    expect(disconnects).toEqual([{ code: 1006, reason: expect.any(String), action: "retry" }]);
    await expect(client.command("echo", "back")).resolves.toBe("back");
  });

  it("skips the rest of the backoff delay when connect() is called", async () => {
    const server = await startServer();
    const client = createClient(server.url, { reconnectInterval: 60_000, maxReconnectInterval: 60_000 });
    await client.connect();
    server.latest.socket.terminate();
    await vi.waitFor(() => expect(client.status).toBe("reconnecting"));

    const started = Date.now();
    await client.connect();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client.status).toBe("online");
    expect(client.connectionId).toBe(server.latest.id);
  });

  it("fires status events only on real changes across drops and failed attempts", async () => {
    const server = await startServer();
    const sockets = countingWebSocket();
    const client = createClient(server.url, { WebSocket: sockets.WebSocket });
    const log = recordEvents(client, ["status", "connect", "disconnect", "reconnect", "close"]);
    await client.connect();

    await server.stop();
    // Several failed attempts pass through backoff → reconnecting → backoff without a status change.
    await vi.waitFor(() => expect(sockets.opened()).toBeGreaterThanOrEqual(4));
    await server.restart();
    await vi.waitFor(() => expect(log).toContain("reconnect"));
    await client.close();

    expect(log).toEqual([
      "status:connecting",
      "status:online",
      "connect",
      "status:reconnecting",
      "disconnect",
      "status:online",
      "reconnect",
      "status:offline",
      "disconnect",
      "close",
    ]);
  });

  it("sends commands queued while reconnecting once the connection is back", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    await client.connect();
    await server.stop();
    await vi.waitFor(() => expect(client.status).toBe("reconnecting"));

    const first = client.command("echo", "one");
    const second = client.command("echo", "two");
    await server.restart();

    await expect(Promise.all([first, second])).resolves.toEqual(["one", "two"]);
    expect(server.latest.requestedCommands()).toEqual(["echo", "echo"]);
  });

  it("counts a queued command's time in the queue against its timeout", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    await client.connect();
    await server.stop();
    await vi.waitFor(() => expect(client.status).toBe("reconnecting"));

    expect((await rejection(client.command("echo", "late", { timeout: 50 }))).code).toBe("TIMEOUT");
    await server.restart();
    await vi.waitFor(() => expect(client.status).toBe("online"));
    await expect(client.command("echo", "next")).resolves.toBe("next");
    expect(server.latest.requestedCommands()).toEqual(["echo"]);
  });

  it("rejects with QUEUE_FULL beyond maxQueuedCommands", async () => {
    const server = await startServer();
    const client = createClient(server.url, { maxQueuedCommands: 2 });
    await client.connect();
    await server.stop();
    await vi.waitFor(() => expect(client.status).toBe("reconnecting"));

    const queued = [client.command("echo", 1), client.command("echo", 2)];
    expect((await rejection(client.command("echo", 3))).code).toBe("QUEUE_FULL");
    await server.restart();
    await expect(Promise.all(queued)).resolves.toEqual([1, 2]);
  });

  it("gives up after maxReconnectAttempts: reconnectfailed, offline, queued commands NOT_CONNECTED", async () => {
    const server = await startServer();
    const sockets = countingWebSocket();
    const client = createClient(server.url, { WebSocket: sockets.WebSocket, maxReconnectAttempts: 3 });
    const log = recordEvents(client, ["reconnectfailed", "close"]);
    await client.connect();
    await server.stop();
    await vi.waitFor(() => expect(client.status).toBe("reconnecting"));
    const queued = rejection(client.command("echo", "never"));

    await vi.waitFor(() => expect(log).toEqual(["reconnectfailed", "close"]), { timeout: 5_000 });
    expect(client.status).toBe("offline");
    expect(sockets.opened()).toBe(1 + 3);
    expect((await queued).code).toBe("NOT_CONNECTED");
    expect((await rejection(client.command("echo", "offline"))).code).toBe("NOT_CONNECTED");
  });

  it("rejects a command in flight with CONNECTION_CLOSED when the socket drops", async () => {
    const server = await startServer();
    server.handle("hang", () => new Promise(() => {}));
    const client = createClient(server.url);
    await client.connect();

    const inFlight = rejection(client.command("hang"));
    await vi.waitFor(() => expect(server.latest.requestedCommands()).toEqual(["hang"]));
    server.latest.socket.terminate();
    expect((await inFlight).code).toBe("CONNECTION_CLOSED");
  });

  it("does not reconnect after close code 4002 (stop)", async () => {
    const server = await startServer();
    const sockets = countingWebSocket();
    const client = createClient(server.url, { WebSocket: sockets.WebSocket });
    const disconnects: unknown[] = [];
    client.on("disconnect", (info) => disconnects.push(info));
    const log = recordEvents(client, ["status", "close", "reconnect", "reconnectfailed"]);
    await client.connect();

    server.latest.close(CLOSE_CODES.PROTOCOL_MISMATCH.code, "protocol version mismatch");
    await vi.waitFor(() => expect(log).toContain("close"));
    await quietPeriod(150);
    expect(sockets.opened()).toBe(1);
    expect(client.status).toBe("offline");
    expect(disconnects).toEqual([{ code: 4002, reason: "protocol version mismatch", action: "stop" }]);
    expect(log).toEqual(["status:connecting", "status:online", "status:offline", "close"]);
  });

  it("does not reconnect after close code 4001 (reauthenticate)", async () => {
    const server = await startServer();
    const sockets = countingWebSocket();
    const client = createClient(server.url, { WebSocket: sockets.WebSocket });
    const disconnects: unknown[] = [];
    client.on("disconnect", (info) => disconnects.push(info));
    await client.connect();

    server.latest.close(CLOSE_CODES.UNAUTHORIZED.code, "unauthorized");
    await vi.waitFor(() => expect(client.status).toBe("offline"));
    await quietPeriod(100);
    expect(sockets.opened()).toBe(1);
    expect(disconnects).toEqual([{ code: 4001, reason: "unauthorized", action: "reauthenticate" }]);
  });

  it("goes offline on a drop when shouldReconnect is false", async () => {
    const server = await startServer();
    const client = createClient(server.url, { shouldReconnect: false });
    const log = recordEvents(client, ["close", "reconnectfailed"]);
    await client.connect();

    server.latest.close(CLOSE_CODES.GOING_AWAY.code, "bye");
    await vi.waitFor(() => expect(client.status).toBe("offline"));
    expect(log).toEqual(["close"]);
  });

  it("runs registered restorers after the hello and before 'reconnect', then flushes the queue", async () => {
    const server = await startServer();
    server.handle("restore-subscriptions", () => "restored");
    const client = createClient(server.url);
    const order: string[] = [];
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    sessionOf(client).registerRestorer(async ({ request }) => {
      order.push(`restorer started, status ${client.status}`);
      await gate;
      order.push(`restorer got ${String(await request("restore-subscriptions"))}`);
    });
    client.on("reconnect", () => order.push("reconnect"));
    await client.connect();
    expect(order).toEqual([]);

    await server.stop();
    await vi.waitFor(() => expect(client.status).toBe("reconnecting"));
    const queuedWhileDown = client.command("echo", "queued while down");
    await server.restart();
    await vi.waitFor(() => expect(order).toEqual(["restorer started, status reconnecting"]));
    const queuedWhileRestoring = client.command("echo", "queued while restoring");
    await quietPeriod(50);
    expect(server.latest.requestedCommands()).toEqual([]);
    openGate();

    await expect(Promise.all([queuedWhileDown, queuedWhileRestoring])).resolves.toEqual([
      "queued while down",
      "queued while restoring",
    ]);
    expect(order).toEqual(["restorer started, status reconnecting", "restorer got restored", "reconnect"]);
    expect(server.latest.requestedCommands()).toEqual(["restore-subscriptions", "echo", "echo"]);
  });

  it("still reconnects when a restorer fails, and reports the failure", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    const unregister = sessionOf(client).registerRestorer(async ({ request }) => {
      await request("no-such-command");
    });
    await client.connect();

    server.latest.socket.terminate();
    await vi.waitFor(() => expect(errors.map((error) => error.code)).toEqual(["UNKNOWN_COMMAND"]));
    await vi.waitFor(() => expect(client.status).toBe("online"));

    unregister();
    server.latest.socket.terminate();
    await vi.waitFor(() => expect(server.connections).toHaveLength(3));
    await vi.waitFor(() => expect(client.status).toBe("online"));
    expect(errors).toHaveLength(1);
  });
});
