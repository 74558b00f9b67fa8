import { describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import {
  countingWebSocket,
  createClient,
  quietPeriod,
  recordEvents,
  rejection,
  startServer,
} from "./support/clientHarness";

describe("MeshClient connect", () => {
  it("goes connecting → online and emits 'connect' once the hello arrived", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    const log = recordEvents(client, ["status", "connect"]);

    const connecting = client.connect();
    expect(client.status).toBe("connecting");
    expect(client.connect()).toBe(connecting);
    await connecting;
    expect(client.status).toBe("online");
    expect(log).toEqual(["status:connecting", "status:online", "connect"]);
    await client.connect();
    expect(server.connections).toHaveLength(1);
  });

  it("is not online before the hello", async () => {
    const server = await startServer({ sendHello: false });
    const client = createClient(server.url, { connectTimeout: 150 });

    const connecting = rejection(client.connect());
    await vi.waitFor(() => expect(server.connections).toHaveLength(1));
    expect(client.status).toBe("connecting");
    const error = await connecting;
    expect(error.code).toBe("NOT_CONNECTED");
    expect(error.message).toContain("no hello");
    expect(client.status).toBe("offline");
  });

  it("rejects a failed first attempt with NOT_CONNECTED and does not retry", async () => {
    const server = await startServer();
    await server.stop();
    const sockets = countingWebSocket();
    const client = createClient(server.url, { WebSocket: sockets.WebSocket });
    const log = recordEvents(client, ["status", "close", "reconnect"]);

    const error = await rejection(client.connect());
    expect(error.code).toBe("NOT_CONNECTED");
    expect(client.status).toBe("offline");
    await server.restart();
    await quietPeriod(150);
    expect(sockets.opened()).toBe(1);
    expect(log).toEqual(["status:connecting", "status:offline", "close"]);
  });

  it("rejects with NOT_CONNECTED when close() interrupts connecting", async () => {
    const server = await startServer({ sendHello: false });
    const client = createClient(server.url);

    const connecting = rejection(client.connect());
    await client.close();
    expect((await connecting).code).toBe("NOT_CONNECTED");
    expect(client.status).toBe("offline");
  });

  it("rejects a malformed URL through connect() instead of throwing", async () => {
    const client = createClient("definitely not a url");
    const error = await rejection(client.connect());
    expect(error.code).toBe("NOT_CONNECTED");
    expect(client.status).toBe("offline");
  });

  it("stops when an injected WebSocket reports a subprotocol other than meshwork's", async () => {
    const server = await startServer();
    const WrongProtocol = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        Object.defineProperty(this, "protocol", { value: "chat.v2" });
      }
    };
    const client = createClient(server.url, { WebSocket: WrongProtocol });
    const error = await rejection(client.connect());
    expect(error.details).toMatchObject({ code: 4002 });
  });

  it("stops on a hello of another protocol version", async () => {
    const server = await startServer({ protocol: 99 });
    const client = createClient(server.url);

    const error = await rejection(client.connect());
    expect(error.details).toMatchObject({ code: 4002 });
    expect(client.status).toBe("offline");
  });
});

describe("MeshClient close", () => {
  it("closes with 1000, fails pending work and makes no further attempts or events", async () => {
    const server = await startServer();
    server.handle("hang", () => new Promise(() => {}));
    const sockets = countingWebSocket();
    const client = createClient(server.url, { WebSocket: sockets.WebSocket });
    const closeCodes: number[] = [];
    await client.connect();
    server.latest.socket.on("close", (code) => closeCodes.push(code));
    const inFlight = rejection(client.command("hang"));
    await vi.waitFor(() => expect(server.latest.requestedCommands()).toEqual(["hang"]));

    const log = recordEvents(client, ["status", "disconnect", "close", "reconnect", "connect"]);
    await client.close();
    expect(client.status).toBe("offline");
    expect((await inFlight).code).toBe("CONNECTION_CLOSED");
    await vi.waitFor(() => expect(closeCodes).toEqual([1000]));
    expect(log).toEqual(["status:offline", "disconnect", "close"]);

    await quietPeriod(150);
    expect(sockets.opened()).toBe(1);
    expect(log).toEqual(["status:offline", "disconnect", "close"]);
    await client.close();
    expect(log).toEqual(["status:offline", "disconnect", "close"]);
  });

  it("stops a pending reconnect: queued commands fail and no attempt follows", async () => {
    const server = await startServer();
    const sockets = countingWebSocket();
    const client = createClient(server.url, { WebSocket: sockets.WebSocket, reconnectInterval: 200 });
    await client.connect();
    await server.stop();
    await vi.waitFor(() => expect(client.status).toBe("reconnecting"));
    const queued = rejection(client.command("echo", "never"));

    await client.close();
    expect((await queued).code).toBe("NOT_CONNECTED");
    const opened = sockets.opened();
    await server.restart();
    await quietPeriod(500);
    expect(sockets.opened()).toBe(opened);
    expect(server.connections).toHaveLength(1);
    expect(client.status).toBe("offline");
  });

  it("leaves no timers behind", async () => {
    const server = await startServer({ pingInterval: 20, autoPing: true });
    const timersBefore = process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;
    const client = createClient(server.url, { pingTimeout: 20 });
    await client.connect();
    const pending = client.command("echo", "x", { timeout: 60_000 });
    await pending;
    await client.close();
    await server.stop();

    await vi.waitFor(() =>
      expect(process.getActiveResourcesInfo().filter((name) => name === "Timeout").length).toBeLessThanOrEqual(
        timersBefore,
      ),
    );
  });

  it("can connect again after close()", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    const log = recordEvents(client, ["connect", "reconnect"]);
    await client.connect();
    await client.close();
    await client.connect();

    expect(client.status).toBe("online");
    expect(client.connectionId).toBe(server.latest.id);
    expect(log).toEqual(["connect", "connect"]);
  });
});
