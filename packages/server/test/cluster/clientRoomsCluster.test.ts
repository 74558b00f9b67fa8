// Clients joining rooms themselves on two instances sharing one Redis: a client-side join is the same cluster-wide
// membership as the server's addToRoom (room broadcasts from the other instance reach it, leaveRoom stops them),
// `present` lists the members with the metadata the server lets the joiner see, and joined rooms are rejoined
// after a dropped socket before `reconnect` fires. Negative checks use flushPushes, never a sleep.
import type { MeshError } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import {
  type Instance,
  connectClient,
  eventually,
  flushPushes,
  recordPushes,
  startCluster,
  startInstance,
} from "./support/cluster";
import { FAST_RECONNECTS, UpgradeGate, dropSocket, nextReconnect } from "./support/reconnects";

async function twoInstances(): Promise<{ A: Instance; B: Instance }> {
  const { nodes } = await startCluster(2);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) server.exposeRoom("lobby");
  return { A, B };
}

describe("client-side joins across instances", () => {
  it("a client on B that joined itself gets room broadcasts from A until it leaves", async () => {
    const { A, B } = await twoInstances();
    const client = await connectClient(B.url);
    const received = recordPushes(client, "chat");

    expect(await client.joinRoom("lobby")).toEqual({
      success: true,
      present: [{ connectionId: client.connectionId, metadata: null }],
    });
    expect(await A.server.getRoomMembers("lobby")).toEqual([client.connectionId]);
    await A.server.broadcastRoom("lobby", "chat", "hello");
    await eventually(() => expect(received).toEqual(["hello"]));

    expect(await client.leaveRoom("lobby")).toEqual({ success: true });
    expect(await A.server.isInRoom("lobby", client.connectionId)).toBe(false);
    await A.server.broadcastRoom("lobby", "chat", "after leaving");
    await flushPushes(A.server, client);
    expect(received).toEqual(["hello"]);
    // Leaving again, or a room it never joined, is not an error: the client is not a member.
    expect(await client.leaveRoom("lobby")).toEqual({ success: true });
  });

  it("joining twice keeps one membership, and a join queued behind a leave wins", async () => {
    const { A, B } = await twoInstances();
    const client = await connectClient(B.url);
    const received = recordPushes(client, "chat");
    await Promise.all([client.joinRoom("lobby"), client.joinRoom("lobby")]);
    const [left, joined] = await Promise.all([client.leaveRoom("lobby"), client.joinRoom("lobby")]);
    expect(left).toEqual({ success: true });
    expect(joined.success).toBe(true);
    await A.server.broadcastRoom("lobby", "chat", 1);
    await flushPushes(A.server, client);
    expect(received).toEqual([1]);
  });
});

describe("present", () => {
  it("lists every member after the join, the caller with its metadata and others with null", async () => {
    const { A, B } = await twoInstances();
    const first = await connectClient(A.url);
    const second = await connectClient(B.url);
    await A.server.connectionManager.setMetadata(first.connectionId, { name: "first" });
    await A.server.connectionManager.setMetadata(second.connectionId, { name: "second" });

    expect((await first.joinRoom("lobby")).present).toEqual([
      { connectionId: first.connectionId, metadata: { name: "first" } },
    ]);
    const { present } = await second.joinRoom("lobby");
    const byId = (a: { connectionId: string }, b: { connectionId: string }) =>
      a.connectionId.localeCompare(b.connectionId);
    expect([...present].sort(byId)).toEqual(
      [
        { connectionId: first.connectionId, metadata: null },
        { connectionId: second.connectionId, metadata: { name: "second" } },
      ].sort(byId),
    );
  });

  it("includes other members' metadata where exposeConnectionMetadata allows it, decided by the joiner's instance", async () => {
    const { A, B } = await twoInstances();
    const visible = await connectClient(A.url);
    const hidden = await connectClient(A.url);
    const joiner = await connectClient(B.url);
    for (const [client, name] of [
      [visible, "visible"],
      [hidden, "hidden"],
    ] as const) {
      await A.server.connectionManager.setMetadata(client.connectionId, { name });
      await client.joinRoom("lobby");
    }
    B.server.exposeConnectionMetadata((_connection, targetId) => targetId === visible.connectionId);

    const { present } = await joiner.joinRoom("lobby");
    expect(new Map(present.map((member) => [member.connectionId, member.metadata]))).toEqual(
      new Map<string, unknown>([
        [visible.connectionId, { name: "visible" }],
        [hidden.connectionId, null],
        [joiner.connectionId, null],
      ]),
    );
  });
});

describe("rooms after a reconnect", () => {
  it("rejoins every joined room before `reconnect` fires; broadcasts reach the new connection", async () => {
    const { nodes, prefix } = await startCluster(1);
    const A = nodes[0] as Instance;
    const gate = new UpgradeGate();
    const B = await startInstance(prefix, { authenticateConnection: gate.authenticate });
    for (const { server } of [A, B]) server.exposeRoom(/^room:/);
    const client = await connectClient(B.url, FAST_RECONNECTS);
    const received = recordPushes(client, "chat");
    await client.joinRoom("room:1");
    await client.joinRoom("room:2");
    await client.joinRoom("room:left");
    await client.leaveRoom("room:left");
    const oldId = client.connectionId;

    // Sent from inside the `reconnect` listener: it arrives only if the rooms were rejoined before it fired.
    client.once("reconnect", () => {
      void A.server.broadcastRoom("room:1", "chat", "on reconnect");
    });
    gate.close();
    const reconnected = nextReconnect(client);
    await dropSocket(B.server, client);
    await eventually(() => expect(gate.held).toBeGreaterThan(0));
    gate.open();
    await reconnected;

    expect(client.connectionId).not.toBe(oldId);
    await eventually(() => expect(received).toEqual(["on reconnect"]));
    for (const room of ["room:1", "room:2"]) expect(await A.server.getRoomMembers(room)).toEqual([client.connectionId]);
    expect(await A.server.getRoomMembers("room:left")).toEqual([]);
    await A.server.broadcastRoom("room:2", "chat", "later");
    await eventually(() => expect(received).toEqual(["on reconnect", "later"]));
  });

  it("drops a room the server now refuses and reports it through `error`", async () => {
    const { nodes } = await startCluster(1);
    const A = nodes[0] as Instance;
    let open = true;
    A.server.exposeRoom("club", () => open);
    A.server.exposeRoom("lobby");
    const client = await connectClient(A.url, FAST_RECONNECTS);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    await client.joinRoom("club");
    await client.joinRoom("lobby");

    open = false;
    let reconnected = nextReconnect(client);
    await dropSocket(A.server, client);
    await reconnected;
    expect(errors.map((error) => [error.code, error.details])).toEqual([
      ["FORBIDDEN", { roomName: "club", reason: expect.stringContaining("denied") }],
    ]);
    expect(await A.server.getRoomMembers("club")).toEqual([]);
    expect(await A.server.getRoomMembers("lobby")).toEqual([client.connectionId]);

    // Dropped for good: with the room open again, the next reconnect does not rejoin it.
    open = true;
    reconnected = nextReconnect(client);
    await dropSocket(A.server, client);
    await reconnected;
    expect(await A.server.getRoomMembers("club")).toEqual([]);
    expect(await A.server.getRoomMembers("lobby")).toEqual([client.connectionId]);
    expect(errors).toHaveLength(1);
  });

  it("forgets joined rooms when the client closes: after a later connect(), a reconnect rejoins none", async () => {
    const { A } = await twoInstances();
    const client = await connectClient(A.url, FAST_RECONNECTS);
    await client.joinRoom("lobby");
    await client.close();
    // Offline, the client is in no room: leaving one is not an error and sends nothing.
    expect(await client.leaveRoom("elsewhere")).toEqual({ success: true });
    await client.joinRoom("lobby").then(
      () => expect.unreachable("joinRoom resolved while offline"),
      (error: MeshError) => expect(error.code).toBe("NOT_CONNECTED"),
    );
    await client.connect();
    const reconnected = nextReconnect(client);
    await dropSocket(A.server, client);
    await reconnected;
    expect(await A.server.getRoomMembers("lobby")).toEqual([]);
  });
});
