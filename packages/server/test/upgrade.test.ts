import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { CLOSE_CODES, MeshServer } from "../src/index";
import { RawClient, expectUpgradeRefused } from "./support/rawClient";
import { MemoryLogger, startServer, track, uniquePrefix } from "./support/servers";

describe("upgrade policy", () => {
  it("accepts a client offering meshwork.v1 among other protocols and echoes it", async () => {
    const { url } = await startServer();
    const client = await RawClient.connect(url, { protocols: ["chat", "meshwork.v2", "meshwork.v1"] });

    expect(client.socket.protocol).toBe("meshwork.v1");
    expect(client.hello.protocol).toBe(1);
  });

  it("closes a client offering only another meshwork version with 4002 naming the server's version", async () => {
    const { server, url } = await startServer();
    const connected = vi.fn();
    server.on("connected", connected);
    const client = await RawClient.connect(url, { protocols: ["meshwork.v2"], waitForHello: false });

    const closed = await client.closed;
    expect(closed).toEqual({
      code: CLOSE_CODES.PROTOCOL_MISMATCH.code,
      reason: "protocol version mismatch: server speaks meshwork.v1",
    });
    expect(client.frames).toEqual([]);
    expect(connected).not.toHaveBeenCalled();
  });

  it("closes a client offering no subprotocol with 4002", async () => {
    const { url } = await startServer();
    const client = await RawClient.connect(url, { protocols: [], waitForHello: false });

    expect((await client.closed).code).toBe(4002);
  });

  it("refuses with HTTP 401 when authenticateConnection returns null or throws, and reports the throw", async () => {
    const errors: Error[] = [];
    const { server, url } = await startServer({
      authenticateConnection: async (request) => {
        const token = request.headers.authorization;
        if (token === "Bearer boom") throw new Error("auth backend down");
        return token === "Bearer good" ? { userId: "u1" } : null;
      },
    });
    server.on("error", (error) => {
      errors.push(error);
    });

    expect(await expectUpgradeRefused(url)).toBe(401);
    expect(await expectUpgradeRefused(url, { headers: { authorization: "Bearer bad" } })).toBe(401);
    expect(await expectUpgradeRefused(url, { headers: { authorization: "Bearer boom" } })).toBe(401);
    expect(errors).toHaveLength(1);
    expect((errors[0]?.cause as Error | undefined)?.message).toBe("auth backend down");
    expect(await server.connectionManager.getAllMetadata()).toEqual([]);
  });

  it("uses what authenticateConnection returns as the initial metadata", async () => {
    const { server, url } = await startServer({
      authenticateConnection: (request) =>
        request.headers.authorization === "Bearer good" ? { userId: "u1", role: "admin" } : null,
    });
    server.registerCommand("my-metadata", (ctx) => ctx.server.connectionManager.getMetadata(ctx.connection));
    const client = await RawClient.connect(url, { headers: { authorization: "Bearer good" } });

    expect((await client.request("my-metadata")).result).toEqual({ userId: "u1", role: "admin" });
    expect(await server.connectionManager.getAllMetadata()).toEqual([
      { [client.hello.connectionId]: { userId: "u1", role: "admin" } },
    ]);
  });

  it("does not run authenticateConnection for a client with the wrong protocol version", async () => {
    const authenticate = vi.fn(() => ({ userId: "u1" }));
    const { url } = await startServer({ authenticateConnection: authenticate });
    const client = await RawClient.connect(url, { protocols: ["meshwork.v9"], waitForHello: false });

    expect((await client.closed).code).toBe(4002);
    expect(authenticate).not.toHaveBeenCalled();
  });

  it("only accepts upgrades on the configured path", async () => {
    const { server } = await startServer({ path: "/mesh" });
    const base = `ws://127.0.0.1:${server.port}`;

    const client = await RawClient.connect(`${base}/mesh?token=abc`);
    expect(client.hello.type).toBe("hello");
    expect(await expectUpgradeRefused(`${base}/other`)).toBe(400);
    expect(await expectUpgradeRefused(base)).toBe(400);
  });

  it("answers plain HTTP requests on its own port with 426", async () => {
    const { server } = await startServer();
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(response.status).toBe(426);
  });

  it("attaches to an existing http.Server, leaving other paths to other listeners and the server to its owner", async () => {
    const http = createServer((_request, response) => response.end("plain http"));
    const other = new WebSocketServer({ noServer: true });
    http.on("upgrade", (request, socket, head) => {
      if (request.url === "/other") other.handleUpgrade(request, socket, head, (ws) => ws.send("other server"));
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as AddressInfo).port;
    const server = track(
      new MeshServer({ server: http, path: "/ws", keyPrefix: uniquePrefix(), logger: new MemoryLogger() }),
    );
    await server.ready();
    server.registerCommand("echo", (ctx) => ctx.payload);
    expect(server.port).toBe(port);

    const client = await RawClient.connect(`ws://127.0.0.1:${port}/ws`);
    expect((await client.request("echo", "via attached")).result).toBe("via attached");
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("plain http");
    const otherSocket = new WebSocket(`ws://127.0.0.1:${port}/other`);
    const [greeting] = (await once(otherSocket, "message")) as [Buffer];
    expect(greeting.toString()).toBe("other server");
    otherSocket.close();

    await server.close();
    expect((await client.closed).code).toBe(1001);
    expect(http.listening).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("plain http");
    await new Promise((resolve) => http.close(resolve));
  });

  it("takes upgrades handed over with handleUpgrade in noServer mode", async () => {
    const server = track(new MeshServer({ noServer: true, keyPrefix: uniquePrefix(), logger: new MemoryLogger() }));
    const http = createServer();
    http.on("upgrade", (request, socket, head) => {
      if (request.url?.startsWith("/realtime")) server.handleUpgrade(request, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    await server.ready();
    server.registerCommand("echo", (ctx) => ctx.payload);
    expect(server.port).toBeUndefined();

    const client = await RawClient.connect(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/realtime`);
    expect((await client.request("echo", "handed over")).result).toBe("handed over");

    await server.close();
    expect((await client.closed).code).toBe(1001);
    await new Promise((resolve) => http.close(resolve));
  });

  it("rejects ready() when the port is taken", async () => {
    const { server: first } = await startServer();
    const errors: Error[] = [];
    const second = track(
      new MeshServer({
        port: first.port as number,
        host: "127.0.0.1",
        keyPrefix: uniquePrefix(),
        logger: new MemoryLogger(),
      }),
    );
    second.on("error", (error) => {
      errors.push(error);
    });

    await expect(second.ready()).rejects.toMatchObject({ code: "EADDRINUSE" });
    expect(errors).toHaveLength(1);
  });
});
