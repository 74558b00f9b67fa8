// Room membership is one cluster-wide fact: changed on any instance, visible from every other, and room
// broadcasts follow it the moment the change resolves.
import { randomUUID } from "node:crypto";
import type { MeshClient } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, flushPushes, recordPushes, startCluster } from "./support/cluster";

type Client = MeshClient & { connectionId: string };

async function cluster(): Promise<{ A: Instance; B: Instance; C: Instance }> {
  const { nodes } = await startCluster(3);
  const [A, B, C] = nodes as [Instance, Instance, Instance];
  return { A, B, C };
}

describe("rooms across instances", () => {
  it("addToRoom on A for a connection served by B is visible from C, and a broadcast right after it resolves reaches it", async () => {
    const { A, B, C } = await cluster();
    const b1 = await connectClient(B.url);
    const got = recordPushes<number>(b1, "hello-room");

    // Many fresh rooms, each joined remotely and broadcast to at once, from the joining instance and from a third:
    // addToRoom resolves only after B listens to the room, so no broadcast may be lost to a subscribe race.
    const rounds = 15;
    for (let i = 0; i < rounds; i++) {
      const room = `race-${i}`;
      await A.server.addToRoom(room, b1.connectionId);
      const sender = i % 2 === 0 ? A : C;
      await sender.server.broadcastRoom(room, "hello-room", i);
      expect(await C.server.isInRoom(room, b1.connectionId)).toBe(true);
      expect(await C.server.getRoomMembers(room)).toEqual([b1.connectionId]);
    }
    await eventually(() => expect(got).toHaveLength(rounds));
    expect(got).toEqual(Array.from({ length: rounds }, (_, i) => i));
    expect(B.server.subscribedChannels().filter((c) => c.includes(":bus:room:"))).toHaveLength(rounds);
  });

  it("removeFromRoom from another instance stops delivery to that member only", async () => {
    const { A, B, C } = await cluster();
    const [a1, b1, b2] = await Promise.all([connectClient(A.url), connectClient(B.url), connectClient(B.url)]);
    const got = { a1: recordPushes(a1, "r"), b1: recordPushes(b1, "r"), b2: recordPushes(b2, "r") };
    for (const client of [a1, b1, b2]) await A.server.addToRoom("room", client.connectionId);

    await C.server.removeFromRoom("room", b1.connectionId);
    expect(await A.server.isInRoom("room", b1.connectionId)).toBe(false);
    expect((await B.server.getRoomMembers("room")).sort()).toEqual([a1.connectionId, b2.connectionId].sort());
    await C.server.broadcastRoom("room", "r", "after-remove");
    await eventually(() => {
      expect(got.a1).toEqual(["after-remove"]);
      expect(got.b2).toEqual(["after-remove"]);
    });
    await flushPushes(C.server, b1);
    expect(got.b1).toEqual([]);

    // Removing a non-member is a no-op, from any instance.
    await A.server.removeFromRoom("room", b1.connectionId);
    await B.server.removeFromRoom("never-joined", a1.connectionId);
    expect((await C.server.getRoomMembers("room")).sort()).toEqual([a1.connectionId, b2.connectionId].sort());
  });

  it("removeFromAllRooms from another instance takes a connection out of every room", async () => {
    const { A, B, C } = await cluster();
    const [a1, b1] = await Promise.all([connectClient(A.url), connectClient(B.url)]);
    const got = recordPushes(b1, "r");
    const rooms = ["one", "two", "three"];
    for (const room of rooms) {
      await C.server.addToRoom(room, b1.connectionId);
      await C.server.addToRoom(room, a1.connectionId);
    }

    await A.server.removeFromAllRooms(b1.connectionId);
    for (const room of rooms) {
      expect(await C.server.isInRoom(room, b1.connectionId)).toBe(false);
      expect(await C.server.getRoomMembers(room)).toEqual([a1.connectionId]);
      await C.server.broadcastRoom(room, "r", room);
    }
    await flushPushes(C.server, b1);
    expect(got).toEqual([]);
    // B no longer has a local member of any of them, so it stopped listening to all three.
    expect(B.server.subscribedChannels().filter((c) => c.includes(":bus:room:"))).toEqual([]);
  });

  it("clearRoom empties the room on every instance", async () => {
    const { A, B, C } = await cluster();
    const [a1, b1, c1] = await Promise.all([connectClient(A.url), connectClient(B.url), connectClient(C.url)]);
    const got = { a1: recordPushes(a1, "r"), b1: recordPushes(b1, "r"), c1: recordPushes(c1, "r") };
    for (const client of [a1, b1, c1]) await A.server.addToRoom("doomed", client.connectionId);
    await A.server.addToRoom("kept", b1.connectionId);

    await C.server.clearRoom("doomed");
    for (const instance of [A, B, C]) expect(await instance.server.getRoomMembers("doomed")).toEqual([]);
    for (const client of [a1, b1, c1]) expect(await B.server.isInRoom("doomed", client.connectionId)).toBe(false);
    // Other rooms of the members are untouched.
    expect(await C.server.getRoomMembers("kept")).toEqual([b1.connectionId]);

    for (const sender of [A, B, C]) await sender.server.broadcastRoom("doomed", "r", "after-clear");
    for (const sender of [A, B, C]) for (const client of [a1, b1, c1]) await flushPushes(sender.server, client);
    expect(got).toEqual({ a1: [], b1: [], c1: [] });
    // Every instance stops listening to the cleared room (the others hear of it through the bus, asynchronously).
    await eventually(() => {
      for (const instance of [A, B, C])
        expect(instance.server.subscribedChannels().filter((c) => c.endsWith(":bus:room:doomed"))).toEqual([]);
    });

    // The room can be used again afterwards.
    await B.server.addToRoom("doomed", a1.connectionId);
    await C.server.broadcastRoom("doomed", "r", "reused");
    await eventually(() => expect(got.a1).toEqual(["reused"]));
  });

  it("a client that disconnects leaves every room, as seen from another instance", async () => {
    const { A, B } = await cluster();
    const [a1, b1] = await Promise.all([connectClient(A.url), connectClient(B.url)]);
    for (const room of ["x", "y", "z"]) {
      await A.server.addToRoom(room, b1.connectionId);
      await A.server.addToRoom(room, a1.connectionId);
    }
    const gone = new Promise((resolve) => B.server.once("disconnected", resolve));
    await b1.close();
    await gone;

    for (const room of ["x", "y", "z"]) {
      expect(await A.server.isInRoom(room, b1.connectionId)).toBe(false);
      expect(await A.server.getRoomMembers(room)).toEqual([a1.connectionId]);
    }
    expect(await A.server.connectionManager.getAllMetadataForRoom("x")).toEqual([{ [a1.connectionId]: null }]);
    expect(B.server.subscribedChannels().filter((c) => c.includes(":bus:room:"))).toEqual([]);
  });

  it("regression: concurrent room changes made on different instances leave delivery agreeing with isInRoom", async () => {
    // Found while writing this suite. A change made on one instance for a connection served by another reaches
    // the owner as a bus message; two concurrent changes made on two instances can reach it in the opposite order
    // to the one Redis applied them in. The owner used to trust the message kind, so "add" arriving after
    // "remove" left a ghost member: Redis said not a member, yet room broadcasts kept reaching it, and no later
    // removeFromRoom could fix it (Redis had nothing to remove). About 1 round in 10 diverged.
    const { A, B, C } = await cluster();
    const b1 = await connectClient(B.url);
    const got = recordPushes<string>(b1, "r");
    const delivered = async (room: string, tag: string): Promise<boolean> => {
      await C.server.broadcastRoom(room, "r", `${room}/${tag}`);
      await flushPushes(C.server, b1);
      return got.includes(`${room}/${tag}`);
    };
    const mismatches: string[] = [];
    for (let i = 0; i < 60; i++) {
      // add (A) racing remove (C); add (C) racing a remove on the owner B itself.
      const room = `race-${i}`;
      if (i % 2 === 0)
        await Promise.all([A.server.addToRoom(room, b1.connectionId), C.server.removeFromRoom(room, b1.connectionId)]);
      else
        await Promise.all([C.server.addToRoom(room, b1.connectionId), B.server.removeFromRoom(room, b1.connectionId)]);
      const member = await A.server.isInRoom(room, b1.connectionId);
      if ((await delivered(room, "after-race")) !== member) mismatches.push(`${room}: isInRoom ${member}`);
    }
    for (let i = 0; i < 30; i++) {
      // clearRoom (A) racing add (C) of a connection that was a member already. clearRoom resolves once the
      // notice is published, before the owner acted on it, so agreement is awaited with a deadline.
      const room = `clear-race-${i}`;
      await A.server.addToRoom(room, b1.connectionId);
      await Promise.all([A.server.clearRoom(room), C.server.addToRoom(room, b1.connectionId)]);
      const member = await A.server.isInRoom(room, b1.connectionId);
      let attempt = 0;
      try {
        await eventually(async () => expect(await delivered(room, `after-clear-${attempt++}`)).toBe(member), 1_000);
      } catch {
        mismatches.push(`${room}: isInRoom ${member} after clear`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("addToRoom for an id no instance serves rejects with NOT_FOUND and leaves no membership", async () => {
    const { A, B } = await cluster();
    const b1: Client = await connectClient(B.url);
    const unknown = randomUUID();
    await expect(A.server.addToRoom("room", unknown)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await B.server.getRoomMembers("room")).toEqual([]);

    // A connection that has gone is unknown as well.
    const gone = new Promise((resolve) => B.server.once("disconnected", resolve));
    await b1.close();
    await gone;
    await expect(A.server.addToRoom("room", b1.connectionId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await A.server.isInRoom("room", b1.connectionId)).toBe(false);
  });
});
