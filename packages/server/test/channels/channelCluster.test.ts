import { createKeys } from "@meshwork/redis-state";
// Channels on two instances sharing one Redis, at the wire level (raw sockets, no MeshClient): exposure by name,
// RegExp and guard; delivery across instances; exact history trimming (original Mesh weakness 15: LTRIM 0..N kept
// N+1) and newest-first order; strings and JSON values; no duplicate deliveries from repeated subscribes (weakness
// 14 on the server side). Negative checks use flushChannel (support/channels.ts), never a sleep.
import { describe, expect, it } from "vitest";
import type { Connection } from "@meshwork/server";
import { type Instance, admin, startCluster, startInstance, testPrefix } from "../cluster/support/cluster";
import {
  busChannelOf,
  channelFrames,
  channelTopicsOf,
  flushChannel,
  idOf,
  isMarker,
  messagesOf,
  rawConnect,
  subscribeRaw,
  unsubscribeRaw,
  waitForMessage,
} from "./support/channels";

const MARK = "marks";

async function twoInstances(): Promise<{ prefix: string; A: Instance; B: Instance }> {
  const { prefix, nodes } = await startCluster(2);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) server.exposeChannel(MARK);
  return { prefix, A, B };
}

describe("channel exposure on two instances", () => {
  it("allows exposed names and RegExps, refuses the rest with a reason, and takes no subscription for a refusal", async () => {
    const { prefix, A, B } = await twoInstances();
    for (const { server } of [A, B]) {
      server.exposeChannel("notifications:global");
      server.exposeChannel(/^chat:.+$/);
    }
    const raw = await rawConnect(B.url);
    await subscribeRaw(raw, MARK);

    expect(await subscribeRaw(raw, "notifications:global")).toMatchObject({ success: true, history: [] });
    expect(await subscribeRaw(raw, "chat:room1")).toMatchObject({ success: true, history: [] });
    // Names the rules do not cover: an unexposed name, the bare prefix the RegExp needs more than, a near miss.
    for (const channel of ["notifications:local", "chat:", "xchat:room1", "notifications:global2"]) {
      const refused = await subscribeRaw(raw, channel);
      expect(refused, channel).toEqual({ success: false, reason: expect.stringContaining("not exposed"), history: [] });
    }
    expect(channelTopicsOf(B.server)).toEqual(
      [MARK, "notifications:global", "chat:room1"].map((c) => busChannelOf(prefix, c)).sort(),
    );

    // A refused subscription delivers nothing.
    await A.server.publishToChannel("notifications:local", "nope");
    await A.server.publishToChannel("notifications:global", "yes");
    await flushChannel(A.server, MARK, raw);
    expect(messagesOf(raw, "notifications:local")).toEqual([]);
    expect(messagesOf(raw, "notifications:global")).toEqual(["yes"]);
  });

  it("runs a guard with the connection and the channel; false denies, true allows, a throw denies and is reported on `error`", async () => {
    const prefix = testPrefix();
    const A = await startInstance(prefix);
    const B = await startInstance(prefix, { allowErrors: true }); // B's throwing guard is expected to be reported
    const calls: Array<{ connectionId: string; channel: string }> = [];
    const guard = async (connection: Connection, channel: string): Promise<boolean> => {
      calls.push({ connectionId: connection.id, channel });
      if (channel === "private:chat:boom") throw new Error("guard exploded");
      const metadata = await B.server.connectionManager.getMetadata(connection);
      return metadata?.premium === true;
    };
    for (const { server } of [A, B]) {
      server.exposeChannel(MARK);
      server.exposeChannel(/^private:chat:.+$/, guard);
    }
    const premium = await rawConnect(B.url);
    const basic = await rawConnect(B.url);
    await A.server.connectionManager.setMetadata(idOf(premium), { premium: true });
    await Promise.all([subscribeRaw(premium, MARK), subscribeRaw(basic, MARK)]);

    expect(await subscribeRaw(premium, "private:chat:1")).toMatchObject({ success: true });
    expect(await subscribeRaw(basic, "private:chat:1")).toEqual({
      success: false,
      reason: expect.stringContaining("denied"),
      history: [],
    });
    expect(calls).toEqual([
      { connectionId: idOf(premium), channel: "private:chat:1" },
      { connectionId: idOf(basic), channel: "private:chat:1" },
    ]);
    expect(B.errors).toEqual([]);

    expect(await subscribeRaw(premium, "private:chat:boom")).toEqual({
      success: false,
      reason: expect.stringContaining("denied"),
      history: [],
    });
    expect(B.errors.map((error) => error.message)).toEqual([
      expect.stringContaining('guard of channel "private:chat:boom" threw'),
    ]);
    expect((B.errors[0]?.cause as Error | undefined)?.message).toBe("guard exploded");

    // Only the allowed subscription delivers; the connection that hit the throwing guard keeps being served.
    await A.server.publishToChannel("private:chat:1", "secret");
    await A.server.publishToChannel("private:chat:boom", "boom");
    await flushChannel(A.server, MARK, premium, basic);
    expect(messagesOf(premium, "private:chat:1")).toEqual(["secret"]);
    expect(messagesOf(basic, "private:chat:1")).toEqual([]);
    expect(messagesOf(premium, "private:chat:boom")).toEqual([]);
  });
});

describe("channel delivery across instances", () => {
  it("a message published on A reaches every subscriber on A and on B exactly once, and nobody else", async () => {
    const { A, B } = await twoInstances();
    for (const { server } of [A, B]) server.exposeChannel(/^room:/);
    const a1 = await rawConnect(A.url);
    const b1 = await rawConnect(B.url);
    const b2 = await rawConnect(B.url);
    const bystander = await rawConnect(B.url);
    const everyone = [a1, b1, b2, bystander];
    await Promise.all(everyone.map((raw) => subscribeRaw(raw, MARK)));
    await Promise.all([a1, b1, b2].map((raw) => subscribeRaw(raw, "room:1")));
    await subscribeRaw(bystander, "room:2");

    await A.server.publishToChannel("room:1", { from: "A", n: 1 });
    await B.server.publishToChannel("room:1", { from: "B", n: 2 });
    await A.server.publishToChannel("room:1", { from: "A", n: 3 }, 5);
    await Promise.all([a1, b1, b2].map((raw) => waitForMessage(raw, "room:1", { from: "A", n: 3 })));
    await flushChannel(A.server, MARK, ...everyone);
    await flushChannel(B.server, MARK, ...everyone);

    for (const raw of [a1, b1, b2]) {
      // Each publisher's messages arrive in its publish order; all three exactly once.
      const got = messagesOf(raw, "room:1") as Array<{ from: string; n: number }>;
      expect(got.filter((m) => m.from === "A").map((m) => m.n)).toEqual([1, 3]);
      expect([...got].sort((x, y) => x.n - y.n)).toEqual([
        { from: "A", n: 1 },
        { from: "B", n: 2 },
        { from: "A", n: 3 },
      ]);
    }
    expect(messagesOf(bystander, "room:1")).toEqual([]);
    expect(bystander.framesOf("channel-message").every((frame) => isMarker(frame.message))).toBe(true);
  });

  it("stored messages carry their offset and epoch live, and the subscribe result's position matches them", async () => {
    const { A, B } = await twoInstances();
    for (const { server } of [A, B]) server.exposeChannel("feed");
    const raw = await rawConnect(B.url);
    await A.server.publishToChannel("feed", "before", 10);
    const { position } = await subscribeRaw(raw, "feed");
    expect(position).toEqual({ epoch: expect.any(String), offset: 1 });
    await A.server.publishToChannel("feed", "stored", 10);
    await B.server.publishToChannel("feed", "unstored");
    await B.server.publishToChannel("feed", "stored too", 10);
    await waitForMessage(raw, "feed", "stored too");
    expect(channelFrames(raw, "feed")).toEqual([
      { type: "channel-message", channel: "feed", message: "stored", offset: 2, epoch: position?.epoch },
      { type: "channel-message", channel: "feed", message: "unstored" },
      { type: "channel-message", channel: "feed", message: "stored too", offset: 3, epoch: position?.epoch },
    ]);
  });
});

describe("channel history", () => {
  it("publishing 10 messages with history 3 keeps exactly 3, newest first; a smaller history trims further", async () => {
    const { prefix, A, B } = await twoInstances();
    for (const { server } of [A, B]) server.exposeChannel(/^chat:.+$/);
    const redis = admin();
    for (let i = 1; i <= 10; i++) await (i % 2 === 0 ? B : A).server.publishToChannel("chat:room1", `msg${i}`, 3);

    const stream = createKeys(prefix).channelHistory("chat:room1");
    expect(await redis.xlen(stream)).toBe(3);
    const raw = await rawConnect(B.url);
    const result = await subscribeRaw(raw, "chat:room1", { historyLimit: 50 });
    expect(result).toMatchObject({ success: true, history: ["msg10", "msg9", "msg8"], position: { offset: 10 } });
    expect((await subscribeRaw(await rawConnect(A.url), "chat:room1", { historyLimit: 2 })).history).toEqual([
      "msg10",
      "msg9",
    ]);
    expect((await subscribeRaw(await rawConnect(A.url), "chat:room1", { historyLimit: 0 })).history).toEqual([]);
    expect((await subscribeRaw(await rawConnect(A.url), "chat:room1")).history).toEqual([]);

    await A.server.publishToChannel("chat:room1", "msg11", 1);
    expect(await redis.xlen(stream)).toBe(1);
    expect((await subscribeRaw(await rawConnect(B.url), "chat:room1", { historyLimit: 50 })).history).toEqual([
      "msg11",
    ]);

    // Messages published without history are delivered but not stored.
    await A.server.publishToChannel("chat:room1", "msg12");
    expect(await redis.xlen(stream)).toBe(1);
    expect((await subscribeRaw(await rawConnect(B.url), "chat:room1", { historyLimit: 50 })).history).toEqual([
      "msg11",
    ]);
  });

  it("history is newest first for every history size, and a channel without stored messages has none and no position", async () => {
    const { A, B } = await twoInstances();
    for (const { server } of [A, B]) server.exposeChannel(/^h:/);
    const raw = await rawConnect(A.url);
    for (let n = 1; n <= 6; n++) {
      await B.server.publishToChannel(`h:${n}`, 0, n);
      for (let i = 1; i <= n + 2; i++) await (i % 2 ? A : B).server.publishToChannel(`h:${n}`, i, n);
      const { history } = await subscribeRaw(raw, `h:${n}`, { historyLimit: 100 });
      expect(history, `history ${n}`).toEqual(Array.from({ length: n }, (_, k) => n + 2 - k));
    }
    await A.server.publishToChannel("h:none", "live only");
    expect(await subscribeRaw(raw, "h:none", { historyLimit: 10 })).toEqual({ success: true, history: [] });
  });
});

describe("channel message values", () => {
  const VALUES: unknown[] = [
    "plain text",
    "",
    '{"looks":"like json"}',
    JSON.stringify({ alert: "Red alert!" }),
    0,
    -1.5,
    true,
    false,
    null,
    [1, "two", { three: [3] }],
    { nested: { deep: [null, true, "x"] }, emoji: "héllo ✓" },
  ];

  it("strings stay strings and JSON values arrive as the same values, live and from history", async () => {
    const { A, B } = await twoInstances();
    for (const { server } of [A, B]) server.exposeChannel("values");
    const raw = await rawConnect(B.url);
    await subscribeRaw(raw, "values");
    for (const [i, value] of VALUES.entries()) await A.server.publishToChannel("values", value, i % 2 === 0 ? 100 : 0);
    await flushChannel(A.server, "values", raw);
    expect(messagesOf(raw, "values").filter((m) => !isMarker(m))).toEqual(VALUES);

    const later = await rawConnect(A.url);
    const { history } = await subscribeRaw(later, "values", { historyLimit: 100 });
    expect(history).toEqual(VALUES.filter((_, i) => i % 2 === 0).reverse());
    // A string is a string, never parsed: the JSON-looking one is still the same text.
    expect(history).toContain('{"looks":"like json"}');
  });

  it("refuses values JSON cannot carry, and bad history sizes, with a TypeError", async () => {
    const { A } = await twoInstances();
    await expect(async () => A.server.publishToChannel("values", 10n)).rejects.toThrow(TypeError);
    await expect(async () => A.server.publishToChannel("values", undefined)).rejects.toThrow(TypeError);
    await expect(async () => A.server.publishToChannel("values", () => 1)).rejects.toThrow(TypeError);
    await expect(async () => A.server.publishToChannel("values", "x", 1.5)).rejects.toThrow(TypeError);
  });
});

describe("repeated subscribes never duplicate deliveries", () => {
  it("subscribing twice delivers once; unsubscribe then subscribe delivers once; unsubscribe reports whether it was subscribed", async () => {
    const { prefix, A, B } = await twoInstances();
    for (const { server } of [A, B]) server.exposeChannel("dup");
    const raw = await rawConnect(B.url);
    await subscribeRaw(raw, MARK);

    expect(await subscribeRaw(raw, "dup")).toMatchObject({ success: true });
    expect(await subscribeRaw(raw, "dup")).toMatchObject({ success: true });
    await A.server.publishToChannel("dup", 1);
    await flushChannel(A.server, MARK, raw);
    expect(messagesOf(raw, "dup")).toEqual([1]);

    expect(await unsubscribeRaw(raw, "dup")).toBe(true);
    expect(await unsubscribeRaw(raw, "dup")).toBe(false);
    expect(channelTopicsOf(B.server)).toEqual([busChannelOf(prefix, MARK)]);
    await A.server.publishToChannel("dup", 2);
    await flushChannel(A.server, MARK, raw);
    expect(messagesOf(raw, "dup")).toEqual([1]);

    expect(await subscribeRaw(raw, "dup")).toMatchObject({ success: true });
    await A.server.publishToChannel("dup", 3);
    await B.server.publishToChannel("dup", 4);
    await flushChannel(A.server, MARK, raw);
    await flushChannel(B.server, MARK, raw);
    expect(messagesOf(raw, "dup")).toEqual([1, 3, 4]);

    // Several rounds, concurrently issued subscribes included: still one copy per message.
    for (let round = 0; round < 5; round++) {
      await Promise.all([subscribeRaw(raw, "dup"), subscribeRaw(raw, "dup")]);
      await unsubscribeRaw(raw, "dup");
      await Promise.all([subscribeRaw(raw, "dup"), subscribeRaw(raw, "dup"), subscribeRaw(raw, "dup")]);
      await A.server.publishToChannel("dup", `r${round}`);
    }
    await flushChannel(A.server, MARK, raw);
    expect(messagesOf(raw, "dup")).toEqual([1, 3, 4, "r0", "r1", "r2", "r3", "r4"]);
  });
});
