import { createKeys } from "@meshwork/redis-state";
// Channel subscription hygiene (original Mesh weakness 13: the Redis subscription outlived the last local
// subscriber's disconnect). An instance listens to a channel's bus channel (`<prefix>bus:channel:<name>`) only
// while it has a local subscriber. Checked from the instance's own account (subscribedChannels()) and from
// Redis's: PUBSUB CHANNELS <prefix>* (which channels anyone listens to) and PUBSUB NUMSUB (how many instances).
import type { MeshServer } from "@meshwork/server";
import { describe, expect, it } from "vitest";
import { type Instance, admin, startCluster } from "../cluster/support/cluster";
import { type RedisClient, pubsubChannels, shardSubscribers } from "../cluster/support/redis";
import type { RawClient } from "../support/rawClient";
import {
  busChannelOf,
  channelTopicsOf,
  flushChannel,
  idOf,
  messagesOf,
  rawConnect,
  subscribeRaw,
  unsubscribeRaw,
} from "./support/channels";

const MARK = "marks";

async function twoInstances(): Promise<{
  prefix: string;
  A: Instance;
  B: Instance;
  redis: RedisClient;
  base: string[];
}> {
  const { prefix, nodes } = await startCluster(2);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) server.exposeChannel(/.*/);
  const base = [
    createKeys(prefix).busAll(),
    createKeys(prefix).busInstance(A.server.instanceId),
    createKeys(prefix).busInstance(B.server.instanceId),
  ].sort();
  return { prefix, A, B, redis: admin(), base };
}

/** Closes a raw socket and resolves once its instance has cleaned the connection up (`disconnected`). */
async function disconnect(server: MeshServer, raw: RawClient): Promise<void> {
  const id = idOf(raw);
  const gone = new Promise<void>((resolve) => {
    const onDisconnected = (connection: { id: string }): void => {
      if (connection.id !== id) return;
      server.off("disconnected", onDisconnected);
      resolve();
    };
    server.on("disconnected", onDisconnected);
  });
  await raw.close();
  await gone;
}

describe("channel subscriptions per instance", () => {
  it("an instance listens to a channel from its first local subscriber to its last one's unsubscribe or disconnect", async () => {
    const { prefix, A, B, redis, base } = await twoInstances();
    const topic = busChannelOf(prefix, "news");
    const a1 = await rawConnect(A.url);
    const a2 = await rawConnect(A.url);
    const b1 = await rawConnect(B.url);

    // Nobody subscribed: no instance listens to any channel.
    expect(channelTopicsOf(A.server)).toEqual([]);
    expect(await pubsubChannels(redis, prefix)).toEqual(base);

    // First subscriber on A: only A listens.
    await subscribeRaw(a1, "news");
    expect(channelTopicsOf(A.server)).toEqual([topic]);
    expect(channelTopicsOf(B.server)).toEqual([]);
    expect(await pubsubChannels(redis, prefix)).toEqual([...base, topic].sort());
    expect(await shardSubscribers(redis, topic)).toBe(1);

    // A second local subscriber, then the first one unsubscribes: A keeps listening, a1 gets nothing more.
    await subscribeRaw(a2, "news");
    await subscribeRaw(a1, MARK);
    expect(await unsubscribeRaw(a1, "news")).toBe(true);
    expect(channelTopicsOf(A.server)).toEqual([busChannelOf(prefix, MARK), topic].sort());
    await B.server.publishToChannel("news", "after a1 left");
    await flushChannel(B.server, MARK, a1);
    await flushChannel(B.server, "news", a2);
    expect(messagesOf(a1, "news")).toEqual([]);
    expect(messagesOf(a2, "news")[0]).toBe("after a1 left");

    // A subscriber on B: both instances listen, one Redis subscription each.
    await subscribeRaw(b1, "news");
    expect(channelTopicsOf(B.server)).toEqual([topic]);
    expect(await shardSubscribers(redis, topic)).toBe(2);

    // The last subscriber on A disconnects: A stops listening; B still does.
    await disconnect(A.server, a2);
    expect(channelTopicsOf(A.server)).toEqual([busChannelOf(prefix, MARK)]);
    expect(await shardSubscribers(redis, topic)).toBe(1);

    // The last subscriber anywhere unsubscribes: the channel is gone from Redis.
    expect(await unsubscribeRaw(b1, "news")).toBe(true);
    expect(channelTopicsOf(B.server)).toEqual([]);
    expect(await shardSubscribers(redis, topic)).toBe(0);
    await unsubscribeRaw(a1, MARK);
    expect(channelTopicsOf(A.server)).toEqual([]);
    expect(await pubsubChannels(redis, prefix)).toEqual(base);
  });

  it("a disconnecting last local subscriber releases every channel it was subscribed to, and no one else's", async () => {
    const { prefix, A, redis, base } = await twoInstances();
    const a1 = await rawConnect(A.url);
    const a2 = await rawConnect(A.url);
    const channels = ["c1", "c2", "c3", "c:with:colons", "spaces and ünïcode"];
    for (const channel of channels) await subscribeRaw(a1, channel);
    await subscribeRaw(a2, "c3");
    expect(channelTopicsOf(A.server)).toEqual(channels.map((c) => busChannelOf(prefix, c)).sort());
    expect(await pubsubChannels(redis, prefix)).toEqual(
      [...base, ...channels.map((c) => busChannelOf(prefix, c))].sort(),
    );

    await disconnect(A.server, a1);
    expect(channelTopicsOf(A.server)).toEqual([busChannelOf(prefix, "c3")]);
    expect(await pubsubChannels(redis, prefix)).toEqual([...base, busChannelOf(prefix, "c3")].sort());
    await A.server.publishToChannel("c3", "still here");
    await flushChannel(A.server, "c3", a2);
    expect(messagesOf(a2, "c3")[0]).toBe("still here");

    await disconnect(A.server, a2);
    expect(channelTopicsOf(A.server)).toEqual([]);
    expect(await pubsubChannels(redis, prefix)).toEqual(base);
  });

  it("a connection that disconnects while its subscribe waits for the guard leaves no subscription behind", async () => {
    const { prefix, A, redis, base } = await twoInstances();
    let releaseGuard: () => void = () => {};
    const guardReleased = new Promise<void>((resolve) => (releaseGuard = resolve));
    let guardEntered: () => void = () => {};
    const entered = new Promise<void>((resolve) => (guardEntered = resolve));
    let slowId = "";
    A.server.exposeChannel("guarded", async (connection) => {
      if (connection.id === slowId) {
        guardEntered();
        await guardReleased;
      }
      return true;
    });
    const slow = await rawConnect(A.url);
    slowId = idOf(slow);
    const pending = slow.request("mesh/subscribe-channel", { channel: "guarded" }).catch(() => undefined);
    await entered;
    await disconnect(A.server, slow);
    releaseGuard();
    await pending;

    // Another connection subscribes and unsubscribes after the guard let the gone one through: the channel's
    // subscription must end with it, not be held by the gone connection.
    const other = await rawConnect(A.url);
    await subscribeRaw(other, "guarded");
    expect(channelTopicsOf(A.server)).toEqual([busChannelOf(prefix, "guarded")]);
    await unsubscribeRaw(other, "guarded");
    expect(channelTopicsOf(A.server)).toEqual([]);
    expect(await pubsubChannels(redis, prefix)).toEqual(base);
  });

  it("the last subscriber leaving while another one arrives, concurrently, keeps the subscription and its delivery", async () => {
    const { prefix, A, B, redis } = await twoInstances();
    const x = await rawConnect(A.url);
    const y = await rawConnect(A.url);
    const topic = busChannelOf(prefix, "flip");
    await subscribeRaw(x, "flip");
    for (let round = 0; round < 15; round++) {
      const [leaving, arriving] = round % 2 === 0 ? [x, y] : [y, x];
      await Promise.all([unsubscribeRaw(leaving, "flip"), subscribeRaw(arriving, "flip")]);
      expect(channelTopicsOf(A.server), `round ${round}`).toEqual([topic]);
      expect(await shardSubscribers(redis, topic), `round ${round}`).toBe(1);
      await B.server.publishToChannel("flip", round);
      await flushChannel(B.server, "flip", arriving);
      expect(messagesOf(arriving, "flip"), `round ${round}`).toContain(round);
    }
  });
});

describe("channel subscription leaks", () => {
  it("many subscribe/unsubscribe/disconnect rounds on two instances leave no channel subscription and lose no delivery", async () => {
    const { prefix, A, B, redis, base } = await twoInstances();
    const instances = [A, B];
    let sockets = await Promise.all([A, A, A, B, B, B].map((node) => rawConnect(node.url)));
    const homeOf = (index: number): Instance => instances[Math.floor(index / 3)] as Instance;

    for (let round = 0; round < 30; round++) {
      const channels = [`churn:${round % 5}`, `churn:${(round + 2) % 5}`];
      // Every socket subscribes to both channels, concurrently, some twice.
      await Promise.all(
        sockets.flatMap((raw, i) => channels.concat(i % 2 === 0 ? channels[0]! : []).map((c) => subscribeRaw(raw, c))),
      );
      for (const node of instances) {
        expect(channelTopicsOf(node.server), `round ${round}`).toEqual(
          channels.map((c) => busChannelOf(prefix, c)).sort(),
        );
      }
      // One message reaches everyone exactly once.
      const message = `round ${round}`;
      await instances[round % 2]!.server.publishToChannel(channels[0]!, message, round % 3);
      await flushChannel(instances[round % 2]!.server, channels[0]!, ...sockets);
      for (const raw of sockets) expect(messagesOf(raw, channels[0]!).filter((m) => m === message)).toHaveLength(1);

      // Then everyone leaves: by unsubscribing (concurrently), or, every third round, by disconnecting.
      if (round % 3 === 2) {
        await Promise.all(sockets.map((raw, i) => disconnect(homeOf(i).server, raw)));
        sockets = await Promise.all(sockets.map((_, i) => rawConnect(homeOf(i).url)));
      } else {
        await Promise.all(sockets.flatMap((raw) => channels.map((c) => unsubscribeRaw(raw, c))));
      }
      for (const node of instances) expect(channelTopicsOf(node.server), `round ${round}`).toEqual([]);
    }
    expect(await pubsubChannels(redis, prefix)).toEqual(base);
  });
});
