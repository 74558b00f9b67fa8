import { createKeys } from "@meshwork/redis-state";
// The server side of channel recovery, at the wire level: `mesh/subscribe-channel` with `since` (the last stored
// position a client saw) answers with every stored message published after it, oldest first, and
// `recovered: true` only when the history still holds all of them; otherwise `recovered: false` and no partial
// replay (original Mesh weaknesses 25 and 32: subscriptions and messages silently lost over a reconnect).
// Client-side recovery (MeshClient's restorer) is in channelRecovery.test.ts.
import type { ChannelPosition } from "@meshwork/protocol";
import { describe, expect, it } from "vitest";
import { type Instance, admin, startCluster } from "../cluster/support/cluster";
import { channelFrames, rawConnect, subscribeRaw, waitForMessage } from "./support/channels";

async function twoInstances(): Promise<{ prefix: string; A: Instance; B: Instance }> {
  const { prefix, nodes } = await startCluster(2);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) server.exposeChannel(/^feed/);
  return { prefix, A, B };
}

describe("subscribe with since", () => {
  it("replays what a socket missed while away, oldest first with offsets, and says recovered", async () => {
    const { A, B } = await twoInstances();
    await A.server.publishToChannel("feed", "m1", 10);
    const first = await rawConnect(B.url);
    const { position } = await subscribeRaw(first, "feed");
    await A.server.publishToChannel("feed", "m2", 10);
    const live = await waitForMessage(first, "feed", "m2");
    expect(live).toMatchObject({ offset: 2, epoch: position?.epoch });
    const last: ChannelPosition = { epoch: live.epoch as string, offset: live.offset as number };
    await first.close();

    // Away: stored messages from both instances, and one without history (not recoverable, not counted).
    await A.server.publishToChannel("feed", "m3", 10);
    await B.server.publishToChannel("feed", { m: 4 }, 10);
    await A.server.publishToChannel("feed", "unstored");
    await A.server.publishToChannel("feed", "m5", 10);

    const again = await rawConnect(B.url);
    const result = await subscribeRaw(again, "feed", { since: last });
    expect(result).toEqual({
      success: true,
      history: [],
      position: { epoch: last.epoch, offset: 5 },
      recovered: true,
      missed: [
        { offset: 3, message: "m3" },
        { offset: 4, message: { m: 4 } },
        { offset: 5, message: "m5" },
      ],
    });
    // And it is subscribed again: the next message arrives live, right after the replayed ones.
    await A.server.publishToChannel("feed", "m6", 10);
    expect(await waitForMessage(again, "feed", "m6")).toMatchObject({ offset: 6 });
    expect(channelFrames(again, "feed")).toHaveLength(1);

    // Nothing missed: recovered, nothing to replay. History can be asked for alongside.
    const upToDate = await subscribeRaw(await rawConnect(A.url), "feed", {
      since: { epoch: last.epoch, offset: 6 },
      historyLimit: 2,
    });
    expect(upToDate).toMatchObject({ success: true, recovered: true, missed: [], history: ["m6", "m5"] });
  });

  it("says not recovered, with no partial replay, when the history no longer holds everything missed", async () => {
    const { A, B } = await twoInstances();
    await A.server.publishToChannel("feed", "m1", 3);
    const { position } = await subscribeRaw(await rawConnect(B.url), "feed");
    const since = position as ChannelPosition;
    for (const m of ["m2", "m3", "m4", "m5"]) await A.server.publishToChannel("feed", m, 3);
    // m2 was trimmed: the history holds m3..m5 only.
    const result = await subscribeRaw(await rawConnect(B.url), "feed", { since, historyLimit: 10 });
    expect(result).toEqual({
      success: true,
      history: ["m5", "m4", "m3"],
      position: { epoch: since.epoch, offset: 5 },
      recovered: false,
      missed: [],
    });
    // Exactly as many as the history holds: complete again.
    const edge = await subscribeRaw(await rawConnect(B.url), "feed", { since: { epoch: since.epoch, offset: 2 } });
    expect(edge).toMatchObject({ recovered: true, missed: [{ offset: 3 }, { offset: 4 }, { offset: 5 }] });
  });

  it("says not recovered for another epoch, a position from the future, a channel without history, or a history that was lost", async () => {
    const { prefix, A, B } = await twoInstances();
    await A.server.publishToChannel("feed", "m1", 10);
    const { position } = await subscribeRaw(await rawConnect(B.url), "feed");
    const { epoch } = position as ChannelPosition;
    const raw = await rawConnect(B.url);

    expect(await subscribeRaw(raw, "feed", { since: { epoch: "another-epoch", offset: 0 } })).toMatchObject({
      recovered: false,
      missed: [],
    });
    expect(await subscribeRaw(raw, "feed", { since: { epoch, offset: 7 } })).toMatchObject({
      recovered: false,
      missed: [],
    });
    expect(await subscribeRaw(raw, "feed-unstored", { since: { epoch, offset: 1 } })).toMatchObject({
      recovered: false,
      missed: [],
    });

    // The history is lost (Redis restarted empty, keys evicted): publishing again starts a new epoch, and a
    // position from the old one cannot be recovered even though its offset looks plausible.
    const redis = admin();
    await redis.del(createKeys(prefix).channelMeta("feed"), createKeys(prefix).channelHistory("feed"));
    await A.server.publishToChannel("feed", "n1", 10);
    await A.server.publishToChannel("feed", "n2", 10);
    const after = await subscribeRaw(raw, "feed", { since: { epoch, offset: 1 }, historyLimit: 5 });
    expect(after).toMatchObject({ recovered: false, missed: [], history: ["n2", "n1"], position: { offset: 2 } });
    expect(after.position?.epoch).not.toBe(epoch);
  });
});
