import { describe, expect, it, vi } from "vitest";
import { CLIENT_LIFECYCLE_EVENTS } from "@meshwork/protocol";
import type { Connection } from "../src/index";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

async function connectThree(url: string) {
  return Promise.all([RawClient.connect(url), RawClient.connect(url), RawClient.connect(url)]);
}

function pushes(client: RawClient) {
  return client.framesOf("push").map((frame) => ({ command: frame.command, payload: frame.payload }));
}

describe("delivery on one instance", () => {
  it("broadcast reaches every connection, or only the listed ones (connections or ids, each once)", async () => {
    const { server, url } = await startServer();
    const [a, b, c] = await connectThree(url);
    if (!a || !b || !c) throw new Error("clients missing");

    await server.broadcast("news", { headline: "all" });
    for (const client of [a, b, c]) await client.waitFor((frame) => frame.type === "push");
    const connectionB = server.connectionManager.getLocalConnection(b.hello.connectionId) as Connection;
    await server.broadcast("news", { headline: "some" }, [
      a.hello.connectionId,
      connectionB,
      a.hello.connectionId,
      "unknown-id",
    ]);
    await a.waitFor((frame) => frame.type === "push" && (frame.payload as { headline: string }).headline === "some");
    await b.waitFor((frame) => frame.type === "push" && (frame.payload as { headline: string }).headline === "some");
    // A request answered after the pushes proves c received everything it was going to.
    server.registerCommand("sync", () => true);
    await c.request("sync");
    await a.request("sync");

    expect(pushes(a)).toEqual([
      { command: "news", payload: { headline: "all" } },
      { command: "news", payload: { headline: "some" } },
    ]);
    expect(pushes(b)).toEqual(pushes(a));
    expect(pushes(c)).toEqual([{ command: "news", payload: { headline: "all" } }]);
  });

  it("broadcastExclude skips the excluded connections", async () => {
    const { server, url } = await startServer();
    server.registerCommand("say", async (ctx) => {
      await ctx.server.broadcastExclude("said", ctx.payload, ctx.connection);
      return true;
    });
    server.registerCommand("sync", () => true);
    const [a, b, c] = await connectThree(url);
    if (!a || !b || !c) throw new Error("clients missing");

    await a.request("say", "hi");
    await b.waitFor((frame) => frame.type === "push");
    await c.waitFor((frame) => frame.type === "push");
    await server.broadcastExclude("said", "to a only", [b.hello.connectionId, c.hello.connectionId]);
    await a.waitFor((frame) => frame.type === "push");
    await b.request("sync");
    await c.request("sync");

    expect(pushes(a)).toEqual([{ command: "said", payload: "to a only" }]);
    expect(pushes(b)).toEqual([{ command: "said", payload: "hi" }]);
    expect(pushes(c)).toEqual([{ command: "said", payload: "hi" }]);
  });

  it("sendTo and connection.send reach one connection; sendTo reports unknown ids", async () => {
    const { server, url } = await startServer();
    const [a, b] = await connectThree(url);
    if (!a || !b) throw new Error("clients missing");

    expect(await server.sendTo(a.hello.connectionId, "direct", { n: 1 })).toBe(true);
    expect(server.connectionManager.getLocalConnection(b.hello.connectionId)?.send("direct", { n: 2 })).toBe(true);
    expect(await server.sendTo("no-such-connection", "direct", {})).toBe(false);

    expect((await a.waitFor((frame) => frame.type === "push")).payload).toEqual({ n: 1 });
    expect((await b.waitFor((frame) => frame.type === "push")).payload).toEqual({ n: 2 });
  });

  it("refuses client lifecycle event names and reserved names with a clear error", async () => {
    const { server, url } = await startServer();
    const client = await RawClient.connect(url);
    const connection = server.connectionManager.getLocalConnection(client.hello.connectionId) as Connection;

    for (const name of CLIENT_LIFECYCLE_EVENTS) {
      expect(() => server.broadcast(name, {})).toThrow(
        new RegExp(`cannot push "${name}": it is a client lifecycle event`),
      );
      expect(() => server.sendTo(client.hello.connectionId, name, {})).toThrow(TypeError);
      expect(() => server.broadcastExclude(name, {}, [])).toThrow(TypeError);
      expect(() => connection.send(name, {})).toThrow(TypeError);
    }
    expect(() => server.broadcast("mesh/presence", {})).toThrow(/reserved/);
    expect(() => connection.send("mesh/x", {})).toThrow(/reserved/);
  });

  it("encodes a broadcast once, not once per connection", async () => {
    const { server, url } = await startServer();
    await connectThree(url);
    const stringify = vi.spyOn(JSON, "stringify");
    try {
      await server.broadcast("tick", { at: 1 });
      // The push itself is encoded once; the bus adds one small routing header, whatever the audience.
      const pushEncodings = stringify.mock.calls.filter(([value]) => (value as { type?: unknown })?.type === "push");
      expect(pushEncodings).toHaveLength(1);
    } finally {
      stringify.mockRestore();
    }
  });

  it("does not deliver to a connection after it closed", async () => {
    const { server, url } = await startServer();
    const client = await RawClient.connect(url);
    const connection = server.connectionManager.getLocalConnection(client.hello.connectionId) as Connection;
    await client.close();
    await vi.waitFor(() => expect(server.connectionManager.getLocalConnections()).toEqual([]));

    expect(connection.isOpen).toBe(false);
    expect(connection.send("late", 1)).toBe(false);
    expect(await server.sendTo(connection.id, "late", 1)).toBe(false);
  });
});
