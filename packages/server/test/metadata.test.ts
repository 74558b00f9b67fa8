import { describe, expect, it } from "vitest";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

describe("connection metadata", () => {
  it("sets, reads and lists metadata by connection or id, as in the seed's Metadata sample", async () => {
    const { server, url } = await startServer();
    const encode = (claims: Record<string, unknown>) => Buffer.from(JSON.stringify(claims)).toString("base64url");
    server.registerCommand("authenticate", async (ctx) => {
      // maybe do some actual authentication here
      const { userId } = ctx.payload;
      const token = encode({
        sub: userId,
        iat: Date.now(),
        exp: Date.now() + 3600,
      });
      await server.connectionManager.setMetadata(ctx.connection, {
        userId,
        token,
      });
      return { success: true };
    });
    const a = await RawClient.connect(url);
    const b = await RawClient.connect(url);

    expect((await a.request("authenticate", { userId: "alice" })).result).toEqual({ success: true });
    const connectionId = a.hello.connectionId;
    const metadata = await server.connectionManager.getMetadata(connectionId);
    expect(metadata).toEqual({ userId: "alice", token: expect.any(String) });

    const connection = server.connectionManager.getLocalConnection(connectionId);
    if (!connection) throw new Error("connection missing");
    await server.connectionManager.setMetadata(connection, { userId: "alice", plan: "pro" });
    expect(await server.connectionManager.getMetadata(connection)).toEqual({ userId: "alice", plan: "pro" });

    const all = await server.connectionManager.getAllMetadata();
    expect(all).toHaveLength(2);
    expect(all).toContainEqual({ [connectionId]: { userId: "alice", plan: "pro" } });
    expect(all).toContainEqual({ [b.hello.connectionId]: null });
  });

  it("returns copies, and forgets metadata when the connection leaves", async () => {
    const { server, url } = await startServer();
    const client = await RawClient.connect(url);
    const id = client.hello.connectionId;
    const stored = { tags: ["a"] };
    await server.connectionManager.setMetadata(id, stored);
    stored.tags.push("mutated");
    const read = await server.connectionManager.getMetadata(id);
    expect(read).toEqual({ tags: ["a"] });

    const disconnected = new Promise<void>((resolve) => server.once("disconnected", () => resolve()));
    await client.close();
    await disconnected;
    expect(await server.connectionManager.getMetadata(id)).toBeNull();
    expect(await server.connectionManager.getAllMetadata()).toEqual([]);
  });

  it("rejects setting metadata of an unknown connection with NOT_FOUND", async () => {
    const { server } = await startServer();
    await expect(server.connectionManager.setMetadata("nobody", { a: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
