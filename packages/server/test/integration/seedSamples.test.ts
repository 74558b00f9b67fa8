// The seed README's samples, run against meshwork with the import paths changed to @meshwork/server and
// @meshwork/client. Two other changes, both for tests: the servers listen on port 0 (a free port, read back
// from `server.port` for the client URL) instead of 8080, and they get no `redisOptions`, running on the
// in-memory state, because this suite runs without Redis. Everything else is the sample code as published.
import { MeshClient } from "@meshwork/client";
import { MeshServer } from "@meshwork/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { trackClient } from "../support/clients";
import { track } from "../support/servers";

beforeEach(() => {
  // The samples log with console.log, and the default logger announces the in-memory state: keep output clean.
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("seed README samples", () => {
  it("Quickstart: echo", async () => {
    // Server
    const server = new MeshServer({
      port: 0,
    });
    server.registerCommand("echo", async (ctx) => {
      return `echo: ${ctx.payload}`;
    });
    track(server);
    await server.ready();

    // Client
    const client = new MeshClient(`ws://localhost:${server.port}`);
    trackClient(client);
    await client.connect();
    const response = await client.command("echo", "Hello!");
    console.log(response); // "echo: Hello!"

    expect(response).toBe("echo: Hello!");
    expect(console.log).toHaveBeenCalledWith("echo: Hello!");
  });

  it("Command Middleware: global and command-specific middleware", async () => {
    const server = track(new MeshServer({ port: 0 }));
    await server.ready();

    server.addMiddleware(async (ctx) => {
      console.log(`Received command: ${ctx.command} from ${ctx.connection.id}`);
    });
    server.addMiddleware(async (ctx) => {
      const metadata = await server.connectionManager.getMetadata(ctx.connection);
      if (!metadata?.userId) {
        throw new Error("Unauthorized");
      }
      // add to context for downstream handler access
      ctx.user = { id: metadata.userId };
    });

    // @ts-expect-error -- the seed leaves this middleware's ctx untyped (implicit any); it runs unchanged.
    const validateProfileUpdate = async (ctx) => {
      const { name, email } = ctx.payload;
      if (typeof name !== "string" || name.length === 0) {
        throw new Error("Invalid name");
      }
      if (typeof email !== "string" || !email.includes("@")) {
        throw new Error("Invalid email");
      }
    };
    server.registerCommand(
      "update-profile",
      async (ctx) => {
        // ..
        return { success: true };
      },
      [validateProfileUpdate],
    );

    const client = trackClient(new MeshClient(`ws://localhost:${server.port}`));
    await client.connect();
    const profile = { name: "Ada", email: "ada@example.com" };

    await expect(client.command("update-profile", profile)).rejects.toMatchObject({
      code: "COMMAND_FAILED",
      message: "Unauthorized",
    });
    expect(console.log).toHaveBeenCalledWith(`Received command: update-profile from ${client.connectionId}`);

    await server.connectionManager.setMetadata(client.connectionId as string, { userId: "u1" });
    expect(await client.command("update-profile", profile)).toEqual({ success: true });
    await expect(client.command("update-profile", { name: "Ada", email: "nope" })).rejects.toMatchObject({
      message: "Invalid email",
    });
    await expect(client.command("update-profile", { name: "", email: "ada@example.com" })).rejects.toMatchObject({
      message: "Invalid name",
    });
  });

  it("Latency Tracking and Connection Liveness: server and client configuration", async () => {
    const server = new MeshServer({
      port: 0,
      pingInterval: 30000, // ms between ping commands
      latencyInterval: 5000, // ms between latency checks
      maxMissedPongs: 1, // how many consecutive pongs can be missed before closing (default: 1)
    });
    track(server);
    await server.ready();
    server.registerCommand("echo", async (ctx) => ctx.payload);

    const client = new MeshClient(`ws://localhost:${server.port}`, {
      pingTimeout: 30000, // ms between ping timeout checks - should match the server's pingInterval
      maxMissedPings: 1, // how many consecutive pings can be missed before reconnecting (default: 1)
      shouldReconnect: true, // auto-reconnect when connection is lost
      reconnectInterval: 2000, // ms between reconnection attempts
      maxReconnectAttempts: 5, // give up after 5 tries (or Infinity by default)
    });
    trackClient(client);
    await client.connect();
    expect(await client.command("echo", "alive")).toBe("alive");

    // The first latency probe goes out after latencyInterval (5 s); both sides then know the round trip.
    const measured = await new Promise<number>((resolve) => client.once("latency", resolve));
    expect(measured).toBeGreaterThan(0);
    expect(client.latency).toBe(measured);
    const connection = server.connectionManager.getLocalConnection(client.connectionId as string);
    expect(connection?.latency).toBe(measured);
    expect(client.status).toBe("online");
  });
});
