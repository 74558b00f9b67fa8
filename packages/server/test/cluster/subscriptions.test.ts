import { createKeys } from "@meshwork/redis-state";
// Subscription hygiene (original Mesh weakness 13: subscriptions that outlive their last local member). An
// instance listens to a room's pub/sub channel only while it has a local member of the room. Checked both from
// the instance's own account (subscribedChannels()) and from Redis's (PUBSUB CHANNELS <prefix>*), which is what
// an operator would look at.
import { describe, expect, it } from "vitest";
import { type Instance, admin, connectClient, eventually, startCluster } from "./support/cluster";
import { pubsubChannels } from "./support/redis";

describe("room channel subscriptions", () => {
  it("a room channel is subscribed from the first local member's join to the last one's leave or disconnect", async () => {
    const { prefix, nodes } = await startCluster(2);
    const [A, B] = nodes as [Instance, Instance];
    const redis = admin();
    const roomChannel = createKeys(prefix).busRoom("lobby");
    const base = [
      createKeys(prefix).busAll(),
      createKeys(prefix).busInstance(A.server.instanceId),
      createKeys(prefix).busInstance(B.server.instanceId),
    ].sort();
    const roomChannelsOf = (instance: Instance) =>
      instance.server.subscribedChannels().filter((c) => c.includes("bus:room:"));

    // Before anyone joins: every instance listens to `all` and its own channel, and to no room.
    expect(await pubsubChannels(redis, prefix)).toEqual(base);
    expect(A.server.subscribedChannels().sort()).toEqual(
      [createKeys(prefix).busAll(), createKeys(prefix).busInstance(A.server.instanceId)].sort(),
    );

    const [a1, a2] = await Promise.all([connectClient(A.url), connectClient(A.url)]);
    const b1 = await connectClient(B.url);

    // First local member on A (added from B): A subscribes, B does not.
    await B.server.addToRoom("lobby", a1.connectionId);
    expect(roomChannelsOf(A)).toEqual([roomChannel]);
    expect(roomChannelsOf(B)).toEqual([]);
    expect(await pubsubChannels(redis, prefix)).toEqual([...base, roomChannel].sort());

    // Second local member, then the first leaves: still subscribed.
    await A.server.addToRoom("lobby", a2.connectionId);
    await A.server.removeFromRoom("lobby", a1.connectionId);
    expect(roomChannelsOf(A)).toEqual([roomChannel]);
    expect(await pubsubChannels(redis, prefix)).toContain(roomChannel);

    // A member on B too; then the last member on A leaves (removed from B): only B listens now.
    await A.server.addToRoom("lobby", b1.connectionId);
    await B.server.removeFromRoom("lobby", a2.connectionId);
    expect(roomChannelsOf(A)).toEqual([]);
    expect(roomChannelsOf(B)).toEqual([roomChannel]);

    // The last member anywhere disconnects: the channel is gone from Redis once B has cleaned up.
    const disconnected = new Promise((resolve) => B.server.once("disconnected", resolve));
    await b1.close();
    await disconnected;
    expect(roomChannelsOf(B)).toEqual([]);
    expect(await pubsubChannels(redis, prefix)).toEqual(base);
  });

  it("a disconnecting last local member unsubscribes its instance from all of its rooms", async () => {
    const { prefix, nodes } = await startCluster(2);
    const [A, B] = nodes as [Instance, Instance];
    const redis = admin();
    const a1 = await connectClient(A.url);
    const rooms = ["r1", "r2", "r3"];
    for (const room of rooms) await B.server.addToRoom(room, a1.connectionId);
    expect((await pubsubChannels(redis, prefix)).filter((c) => c.includes("bus:room:"))).toEqual(
      rooms.map((r) => createKeys(prefix).busRoom(r)),
    );

    const disconnected = new Promise((resolve) => A.server.once("disconnected", resolve));
    await a1.close();
    await disconnected;
    expect(A.server.subscribedChannels().filter((c) => c.includes("bus:room:"))).toEqual([]);
    expect((await pubsubChannels(redis, prefix)).filter((c) => c.includes("bus:room:"))).toEqual([]);
  });

  it("leak test: many joins, leaves, clears and disconnects across instances leave only the base channels", async () => {
    const { prefix, nodes } = await startCluster(2);
    const [A, B] = nodes as [Instance, Instance];
    const redis = admin();
    const clients = await Promise.all([A.url, A.url, B.url, B.url].map((url) => connectClient(url)));
    const instances = [A, B];

    for (let round = 0; round < 20; round++) {
      const room = `churn-${round % 4}`;
      // Concurrent joins of every client, from alternating instances.
      await Promise.all(clients.map((c, i) => instances[(i + round) % 2]!.server.addToRoom(room, c.connectionId)));
      // Then concurrent leaves, or a clear, or a removeFromAllRooms.
      if (round % 3 === 0) await instances[round % 2]!.server.clearRoom(room);
      else if (round % 3 === 1)
        await Promise.all(
          clients.map((c, i) => instances[(i + round + 1) % 2]!.server.removeFromRoom(room, c.connectionId)),
        );
      else await Promise.all(clients.map((c) => instances[round % 2]!.server.removeFromAllRooms(c.connectionId)));
    }
    // A last round that ends in disconnects.
    await Promise.all(clients.map((c, i) => instances[i % 2]!.server.addToRoom("final", c.connectionId)));
    await Promise.all(clients.map((c) => c.close()));

    // clearRoom reaches other instances through the bus and disconnect cleanup runs after the socket closed,
    // so both sides are polled up to a deadline.
    await eventually(async () => {
      for (const instance of instances)
        expect(instance.server.subscribedChannels().filter((c) => c.includes("bus:room:"))).toEqual([]);
      expect(await pubsubChannels(redis, prefix)).toEqual(
        [
          createKeys(prefix).busAll(),
          createKeys(prefix).busInstance(A.server.instanceId),
          createKeys(prefix).busInstance(B.server.instanceId),
        ].sort(),
      );
    });
    for (let i = 0; i < 4; i++) expect(await A.server.getRoomMembers(`churn-${i}`)).toEqual([]);
    expect(await B.server.getRoomMembers("final")).toEqual([]);
  });
});
