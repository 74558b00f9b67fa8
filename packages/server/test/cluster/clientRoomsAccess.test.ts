// Who may join which room and read which metadata, decided on the server: exposure by name, RegExp and guard
// (precedence as for channels), connection metadata another client may read only through
// exposeConnectionMetadata (checked with a hand-made frame too), room metadata only for joinable rooms.
import { MeshError } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { RawClient } from "../support/rawClient";
import { type Instance, connectClient, startCluster, startInstance, testPrefix } from "./support/cluster";

async function twoInstances(options: { allowErrors?: boolean } = {}): Promise<{ A: Instance; B: Instance }> {
  const { nodes } = await startCluster(2, options);
  const [A, B] = nodes as [Instance, Instance];
  return { A, B };
}

async function rejection(promise: Promise<unknown>): Promise<MeshError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof MeshError)) throw new Error(`expected a MeshError rejection, got ${String(error)}`);
  return error;
}

describe("room exposure", () => {
  it("refuses a room no rule exposes, with a reason, and leaves the client out of it", async () => {
    const { A, B } = await twoInstances();
    for (const { server } of [A, B]) server.exposeRoom(/^chat:.+$/);
    const client = await connectClient(B.url);

    for (const room of ["lobby", "chat:", "xchat:1"]) {
      expect(await client.joinRoom(room), room).toEqual({
        success: false,
        present: [],
        reason: expect.stringContaining("not exposed"),
      });
      expect(await A.server.isInRoom(room, client.connectionId)).toBe(false);
    }
    expect(await client.joinRoom("chat:1")).toMatchObject({ success: true });
    expect(await A.server.isInRoom("chat:1", client.connectionId)).toBe(true);
    // Leaving a room no rule exposes is refused too: such rooms are the server's to manage.
    await A.server.addToRoom("staff", client.connectionId);
    expect(await client.leaveRoom("staff")).toEqual({ success: false, reason: expect.stringContaining("not exposed") });
    expect(await A.server.isInRoom("staff", client.connectionId)).toBe(true);
  });

  it("runs the guard with the connection and the room: false denies, true allows", async () => {
    const { A, B } = await twoInstances();
    const calls: Array<[string, string]> = [];
    for (const { server } of [A, B]) {
      server.exposeRoom(/^team:/, async (connection, room) => {
        calls.push([connection.id, room]);
        const metadata = await server.connectionManager.getMetadata(connection);
        return room === `team:${String(metadata?.team)}`;
      });
    }
    const client = await connectClient(B.url);
    await A.server.connectionManager.setMetadata(client.connectionId, { team: "red" });

    expect(await client.joinRoom("team:blue")).toEqual({
      success: false,
      present: [],
      reason: expect.stringContaining("denied"),
    });
    expect(await client.joinRoom("team:red")).toMatchObject({ success: true });
    expect(calls).toEqual([
      [client.connectionId, "team:blue"],
      [client.connectionId, "team:red"],
    ]);
    expect(await A.server.getRoomMembers("team:red")).toEqual([client.connectionId]);
    expect(await A.server.getRoomMembers("team:blue")).toEqual([]);
  });

  it("denies when the guard throws or answers anything but true, and reports the throw on `error`", async () => {
    const { B } = await twoInstances({ allowErrors: true });
    B.server.exposeRoom("boom", () => {
      throw new Error("guard exploded");
    });
    B.server.exposeRoom("truthy", () => "yes" as unknown as boolean);
    const client = await connectClient(B.url);

    expect(await client.joinRoom("boom")).toMatchObject({ success: false, reason: expect.stringContaining("denied") });
    expect(await client.joinRoom("truthy")).toMatchObject({ success: false });
    expect(B.errors.map((error) => [error.message, (error.cause as Error).message])).toEqual([
      ['meshwork: the guard of room "boom" threw', "guard exploded"],
    ]);
    expect(await B.server.getRoomMembers("boom")).toEqual([]);
  });

  it("lets an exact name win over patterns, and the pattern exposed last win over earlier ones", async () => {
    const instance = await startInstance(testPrefix());
    const { server } = instance;
    server.exposeRoom(/^game:/);
    server.exposeRoom(/^game:private:/, () => false);
    server.exposeRoom("game:private:open");
    const client = await connectClient(instance.url);

    expect(await client.joinRoom("game:1")).toMatchObject({ success: true });
    expect(await client.joinRoom("game:private:2")).toMatchObject({ success: false });
    expect(await client.joinRoom("game:private:open")).toMatchObject({ success: true });
  });

  it("rejects invalid room names with INVALID_PAYLOAD before sending", async () => {
    const instance = await startInstance(testPrefix());
    instance.server.exposeRoom(/.*/);
    const client = await connectClient(instance.url);
    for (const call of [
      () => client.joinRoom(""),
      () => client.leaveRoom(""),
      () => client.getRoomMetadata(""),
      () => client.joinRoom(42 as unknown as string),
      () => client.getConnectionMetadata(""),
    ]) {
      expect((await rejection(call())).code).toBe("INVALID_PAYLOAD");
    }
  });
});

describe("metadata a client may read", () => {
  it("gives a client its own connection metadata, by default and by its own id", async () => {
    const { A, B } = await twoInstances();
    const client = await connectClient(B.url);
    expect(await client.getConnectionMetadata()).toBeNull();
    await A.server.connectionManager.setMetadata(client.connectionId, { userId: "u1" });
    expect(await client.getConnectionMetadata()).toEqual({ userId: "u1" });
    expect(await client.getConnectionMetadata(client.connectionId)).toEqual({ userId: "u1" });
  });

  it("refuses another connection's metadata with FORBIDDEN, through the client and through a hand-made frame", async () => {
    const { A, B } = await twoInstances();
    const victim = await connectClient(A.url);
    await A.server.connectionManager.setMetadata(victim.connectionId, { token: "secret" });
    const client = await connectClient(B.url);

    const error = await rejection(client.getConnectionMetadata(victim.connectionId));
    expect(error.code).toBe("FORBIDDEN");
    const raw = await RawClient.connect(B.url);
    try {
      const frame = await raw.request("mesh/get-connection-metadata", { connectionId: victim.connectionId });
      expect(frame).toMatchObject({ type: "error", error: { code: "FORBIDDEN" } });
      expect(JSON.stringify(raw.frames)).not.toContain("secret");
      // The payload may be left out: the caller's own metadata.
      expect(await raw.request("mesh/get-connection-metadata")).toMatchObject({
        type: "response",
        result: { metadata: null },
      });
    } finally {
      await raw.close();
    }
  });

  it("lets exposeConnectionMetadata decide per reader and target; a throwing guard denies and is reported", async () => {
    const { A, B } = await twoInstances({ allowErrors: true });
    const reader = await connectClient(B.url);
    const target = await connectClient(A.url);
    const other = await connectClient(A.url);
    await A.server.connectionManager.setMetadata(target.connectionId, { name: "target" });
    await A.server.connectionManager.setMetadata(other.connectionId, { name: "other" });
    B.server.exposeConnectionMetadata((connection, targetId) => {
      expect(connection.id).toBe(reader.connectionId);
      if (targetId === other.connectionId) throw new Error("metadata guard exploded");
      return targetId === target.connectionId;
    });

    expect(await reader.getConnectionMetadata(target.connectionId)).toEqual({ name: "target" });
    expect((await rejection(reader.getConnectionMetadata(other.connectionId))).code).toBe("FORBIDDEN");
    expect(B.errors.map((error) => (error.cause as Error).message)).toEqual(["metadata guard exploded"]);
    expect(() => B.server.exposeConnectionMetadata(undefined as never)).toThrow(TypeError);
  });

  it("reads room metadata only for rooms the client may join", async () => {
    const { A, B } = await twoInstances();
    for (const { server } of [A, B]) {
      server.exposeRoom("lobby");
      server.exposeRoom("vip", (connection) => connection.id === "nobody");
    }
    await A.server.roomManager.setMetadata("lobby", { topic: "General" });
    await A.server.roomManager.setMetadata("vip", { topic: "Secret" });
    await A.server.roomManager.setMetadata("hidden", { topic: "Hidden" });
    const client = await connectClient(B.url);

    expect(await client.getRoomMetadata("lobby")).toEqual({ topic: "General" });
    for (const room of ["vip", "hidden"]) {
      const error = await rejection(client.getRoomMetadata(room));
      expect(error.code, room).toBe("FORBIDDEN");
    }
    B.server.exposeRoom("empty");
    expect(await client.getRoomMetadata("empty")).toBeNull();
  });
});
