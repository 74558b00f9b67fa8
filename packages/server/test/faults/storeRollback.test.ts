// What a Redis Cluster failover can do to a topic (docs/operations.md, "Redis Cluster"): the promoted replica may
// lack the master's last writes, so record versions, channel offsets and presence positions that subscribers already
// hold are granted again, to other content. Subscribers would drop them as already seen, or apply a patch to a value the store no
// longer has. The instance relaying them notices the position going back and closes those subscribers with
// STATE_RESET, so they subscribe again from what the store holds. The loss is reproduced here on one Redis by
// putting the keys back to an earlier state, as the promoted replica holds it.
import type { MeshClient, RecoveryInfo } from "@meshwork/client";
import { CLOSE_CODES } from "@meshwork/protocol";
import { createKeys } from "@meshwork/redis-state";
import { describe, expect, it } from "vitest";
import { type Instance, admin, connectClient, eventually, startCluster } from "../cluster/support/cluster";
import { FAST_RECONNECTS } from "../cluster/support/reconnects";
import { type HeldRecord, holdRecord } from "./support/heldRecord";

function closeCodesOf(client: MeshClient): number[] {
  const codes: number[] = [];
  client.on("disconnect", (info) => void codes.push(info.code));
  return codes;
}

describe("a store that went back in time", () => {
  it("closes a record's subscribers with STATE_RESET when versions they hold are granted again, and they follow the store", async () => {
    const { prefix, nodes } = await startCluster(2, { allowErrors: true });
    const [A, B] = nodes as [Instance, Instance];
    for (const { server } of [A, B]) server.exposeRecord("doc");
    const held = new Map<string, HeldRecord>();
    const codes: number[][] = [];
    for (const mode of ["full", "patch"] as const) {
      const client = await connectClient(B.url);
      codes.push(closeCodesOf(client));
      await holdRecord(client, "doc", mode, held);
    }
    for (let n = 1; n <= 3; n++) await A.server.publishRecordUpdate("doc", { n, lost: n > 1 });
    await eventually(() => expect([...held.values()].map((h) => h.version)).toEqual([3, 3]));

    // Versions 2 and 3 are lost, as a failover to a replica that had only version 1 would lose them.
    const key = createKeys(prefix).record("doc");
    await admin().hset(key, "v", 1, "d", JSON.stringify({ n: 1, lost: false }));
    expect(await A.server.publishRecordUpdate("doc", { n: 20 })).toBe(2);

    await eventually(() => expect(codes).toEqual([[CLOSE_CODES.STATE_RESET.code], [CLOSE_CODES.STATE_RESET.code]]));
    const expected = { version: 2, value: { n: 20 } };
    await eventually(() => expect(Object.fromEntries(held)).toEqual({ full: expected, patch: expected }), 8_000);
    // And on from there, one version at a time.
    expect(await A.server.publishRecordUpdate("doc", { n: 21 })).toBe(3);
    const next = { version: 3, value: { n: 21 } };
    await eventually(() => expect(Object.fromEntries(held)).toEqual({ full: next, patch: next }));
    expect(B.errors.map((e) => e.message)).toEqual([expect.stringContaining('record "doc" went back from 3 to 2')]);
  });

  it("closes a channel's subscribers with STATE_RESET when offsets they hold are granted again", async () => {
    const { prefix, nodes } = await startCluster(2, { allowErrors: true });
    const [A, B] = nodes as [Instance, Instance];
    for (const { server } of [A, B]) server.exposeChannel("feed");
    const client = await connectClient(B.url);
    const codes = closeCodesOf(client);
    const received: unknown[] = [];
    const recoveries: RecoveryInfo[] = [];
    await client.subscribe("feed", (message) => void received.push(message), {
      historyLimit: 10,
      onRecover: (info) => void recoveries.push(info),
    });
    for (let n = 1; n <= 3; n++) await A.server.publishToChannel("feed", { n }, 10);
    await eventually(() => expect(received).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]));

    // Offsets 2 and 3 are lost with their stored messages, as the promoted replica would have lost them.
    const keys = createKeys(prefix);
    const redis = admin();
    const [[, first]] = (await redis.xrange(keys.channelHistory("feed"), "1-0", "1-0")) as [[string, string[]]];
    await redis.del(keys.channelHistory("feed"));
    await redis.xadd(keys.channelHistory("feed"), "1-0", ...first);
    await redis.hset(keys.channelMeta("feed"), "offset", 1);
    // Offsets 2 and 3 again, before the subscriber can be back: resubscribing from offset 3, it must not be told
    // that it missed nothing.
    await A.server.publishToChannel("feed", { n: 20 }, 10);
    await A.server.publishToChannel("feed", { n: 21 }, 10);

    await eventually(() => expect(codes).toEqual([CLOSE_CODES.STATE_RESET.code]));
    await eventually(() => expect(recoveries).toEqual([{ channel: "feed", recovered: false, missed: 0 }]), 8_000);
    // Back, it starts at the channel's position, and what is published reaches it again.
    let n = 21;
    await eventually(async () => {
      await A.server.publishToChannel("feed", { n: ++n }, 10);
      expect(received.at(-1)).toEqual({ n: n - 1 });
    }, 8_000);
    expect(n).toBeLessThan(21 + 80);
    expect(B.errors.map((e) => e.message)).toEqual([expect.stringContaining('channel "feed" went back from 3 to 2')]);
  });

  it("closes a room's presence watchers with STATE_RESET when positions they hold are given again", async () => {
    const { prefix, nodes } = await startCluster(2, { allowErrors: true });
    const [A, B] = nodes as [Instance, Instance];
    for (const { server } of [A, B]) {
      server.exposeRoom("lobby");
      server.trackPresence("lobby");
    }
    const alice = await connectClient(B.url, FAST_RECONNECTS);
    const codes = closeCodesOf(alice);
    const seen: Array<[string, string]> = [];
    await alice.joinRoom("lobby", (event) => void seen.push([event.type, event.connectionId]));
    const bob = await connectClient(A.url);
    await bob.joinRoom("lobby");
    await eventually(() => expect(seen).toEqual([["join", bob.connectionId]]));

    // The position of bob's join is lost, as on a replica that had not received it.
    const position = createKeys(prefix).presence("lobby").position;
    await admin().hincrby(position, "n", -1);
    const carol = await connectClient(A.url);
    await carol.joinRoom("lobby");

    await eventually(() => expect(codes).toEqual([CLOSE_CODES.STATE_RESET.code]));
    // Back, alice watches again from the room's present members, and sees what happens next.
    const dave = await connectClient(A.url);
    await eventually(async () => {
      await dave.joinRoom("lobby");
      expect(seen).toContainEqual(["join", dave.connectionId]);
    }, 8_000);
    expect(B.errors.map((e) => e.message)).toEqual([expect.stringContaining('presence of room "lobby" went back')]);
  });
});
