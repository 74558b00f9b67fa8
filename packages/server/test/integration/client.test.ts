import { type MeshClientOptions, MeshClient, isMeshError } from "@meshwork/client";
import { type Connection, MeshServer, type MeshServerOptions } from "@meshwork/server";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { trackClient } from "../support/clients";
import { MemoryLogger, startServer, track, uniquePrefix } from "../support/servers";

async function connectClient(url: string, options: MeshClientOptions = {}): Promise<MeshClient> {
  const client = trackClient(new MeshClient(url, options));
  await client.connect();
  return client;
}

describe("MeshServer with MeshClient", () => {
  it("runs commands and returns their results", async () => {
    const { server, url } = await startServer();
    server.registerCommand("add", (ctx) => ctx.payload.a + ctx.payload.b);
    server.registerCommand("nothing", () => undefined);
    const client = await connectClient(url);

    expect(await client.command("add", { a: 2, b: 3 })).toBe(5);
    expect(await client.command("nothing")).toBeUndefined();
    expect(client.connectionId).toBe(server.connectionManager.getLocalConnections()[0]?.id);
  });

  it("rejects with MeshErrors that carry the server's code, message and details", async () => {
    const { server, url } = await startServer();
    server.registerCommand("find", () => {
      throw Object.assign(new Error("no such user"), { code: "NOT_FOUND" });
    });
    server.registerCommand("crash", () => {
      throw new Error("boom");
    });
    server.registerCommand("typed", (ctx) => ctx.payload.n, { schema: z.object({ n: z.number() }) });
    const client = await connectClient(url);

    const notFound = await client.command("find").catch((error: unknown) => error);
    expect(isMeshError(notFound)).toBe(true);
    expect(notFound).toMatchObject({ code: "NOT_FOUND", message: "no such user" });
    await expect(client.command("crash")).rejects.toMatchObject({ code: "COMMAND_FAILED", message: "boom" });
    await expect(client.command("missing")).rejects.toMatchObject({ code: "UNKNOWN_COMMAND" });
    const invalid = await client.command("typed", { n: "one" }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ code: "INVALID_PAYLOAD", details: [expect.objectContaining({ path: ["n"] })] });
    expect(await client.command("typed", { n: 1 })).toBe(1);
  });

  it("runs global then per-command middleware, and stops at one that throws", async () => {
    const { server, url } = await startServer();
    const order: string[] = [];
    server.addMiddleware((ctx) => {
      order.push("global");
      ctx.user = { id: ctx.payload?.as };
    });
    server.registerCommand(
      "whoami",
      (ctx) => {
        order.push("handler");
        return ctx.user;
      },
      [
        (ctx) => {
          order.push("own");
          if ((ctx.user as { id?: string }).id === "mallory")
            throw Object.assign(new Error("banned"), { code: "FORBIDDEN" });
        },
      ],
    );
    const client = await connectClient(url);

    expect(await client.command("whoami", { as: "ada" })).toEqual({ id: "ada" });
    expect(order).toEqual(["global", "own", "handler"]);
    await expect(client.command("whoami", { as: "mallory" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(order).toEqual(["global", "own", "handler", "global", "own"]);
  });

  it("delivers broadcasts and sendTo to client.on listeners", async () => {
    const { server, url } = await startServer();
    const a = await connectClient(url);
    const b = await connectClient(url);
    const seenByA: unknown[] = [];
    const seenByB: unknown[] = [];
    a.on("news", (payload) => seenByA.push(payload));
    b.on("news", (payload) => seenByB.push(payload));

    await server.broadcast("news", "for everyone");
    await server.sendTo(b.connectionId as string, "news", "for b");
    await server.broadcastExclude("news", "not for b", b.connectionId as string);

    await vi.waitFor(() => expect(seenByA).toEqual(["for everyone", "not for b"]));
    await vi.waitFor(() => expect(seenByB).toEqual(["for everyone", "for b"]));
  });

  it("keeps a healthy client online through many short ping intervals, with latency known on both sides", async () => {
    const { server, url } = await startServer({ pingInterval: 40, latencyInterval: 30, maxMissedPongs: 3 });
    const disconnected = vi.fn();
    server.on("disconnected", disconnected);
    const connected = new Promise<Connection>((resolve) => server.once("connected", resolve));
    const client = await connectClient(url, { pingTimeout: 40, maxMissedPings: 3 });
    const connection = await connected;
    let pings = 0;
    client.on("ping", () => {
      pings++;
    });
    const clientDisconnect = vi.fn();
    client.on("disconnect", clientDisconnect);

    await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(10), { timeout: 5_000 });
    expect(client.status).toBe("online");
    expect(disconnected).not.toHaveBeenCalled();
    expect(clientDisconnect).not.toHaveBeenCalled();
    expect(client.latency).toBeGreaterThan(0);
    expect(connection.latency).toBeGreaterThan(0);
  });

  it("reconnects by itself when the connection is closed for a missed ping", async () => {
    const { server, url } = await startServer();
    server.registerCommand("who", (ctx) => ctx.connection.id);
    const client = await connectClient(url, { reconnectInterval: 20, maxReconnectInterval: 50 });
    const firstId = client.connectionId as string;
    const reconnected = new Promise((resolve) => client.once("reconnect", resolve));

    server.connectionManager.getLocalConnection(firstId)?.close(4000, "ping timeout");
    await reconnected;

    expect(client.connectionId).not.toBe(firstId);
    expect(await client.command("who")).toBe(client.connectionId);
  });

  it("reconnects by itself after the server restarts on the same port", async () => {
    const keyPrefix = uniquePrefix();
    const options: MeshServerOptions = { port: 0, host: "127.0.0.1", keyPrefix, logger: new MemoryLogger() };
    const first = track(new MeshServer(options));
    await first.ready();
    const port = first.port as number;
    first.registerCommand("where", () => "first");
    const client = await connectClient(`ws://127.0.0.1:${port}`, { reconnectInterval: 50, maxReconnectInterval: 100 });
    expect(await client.command("where")).toBe("first");
    const firstId = client.connectionId;
    const statuses: string[] = [];
    client.on("status", (status) => statuses.push(status));
    const reconnected = new Promise((resolve) => client.once("reconnect", resolve));

    await first.close();
    await vi.waitFor(() => expect(statuses).toContain("reconnecting"));
    const second = track(new MeshServer({ ...options, port }));
    second.registerCommand("where", () => "second");
    await second.ready();
    await reconnected;

    expect(client.status).toBe("online");
    expect(client.connectionId).not.toBe(firstId);
    expect(await client.command("where")).toBe("second");
  });

  it("rejects a command with TIMEOUT when the server does not answer in time, and keeps working", async () => {
    const { server, url } = await startServer();
    server.registerCommand("never", () => new Promise(() => {}));
    server.registerCommand("quick", () => "quick");
    const client = await connectClient(url);

    await expect(client.command("never", null, { timeout: 100 })).rejects.toMatchObject({ code: "TIMEOUT" });
    await expect(client.command("never", null, 50)).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(await client.command("quick")).toBe("quick");
  });

  it("lets the server read and write metadata of a client's connection", async () => {
    const { server, url } = await startServer();
    server.registerCommand("login", async (ctx) => {
      await ctx.server.connectionManager.setMetadata(ctx.connection, { userId: ctx.payload });
      return true;
    });
    const client = await connectClient(url);

    await client.command("login", "ada");
    expect(await server.connectionManager.getMetadata(client.connectionId as string)).toEqual({ userId: "ada" });
    expect(await server.connectionManager.getAllMetadata()).toEqual([
      { [client.connectionId as string]: { userId: "ada" } },
    ]);
  });
});
