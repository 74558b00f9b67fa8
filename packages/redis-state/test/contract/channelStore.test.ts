import { describe, expect, it } from "vitest";
import type { ChannelStore, StoredPosition } from "../../src/index";
import { IMPLEMENTATIONS, openStates, waitUntil } from "./implementations";

/** A channel's stored position, read through a snapshot that asks for nothing else. */
async function positionOf(channels: ChannelStore, channel: string): Promise<StoredPosition | null> {
  return (await channels.snapshot(channel, { historyLimit: 0, max: 0 })).position;
}

/** A channel's newest `limit` stored messages, newest first. */
async function historyOf(channels: ChannelStore, channel: string, limit: number): Promise<string[]> {
  return (await channels.snapshot(channel, { historyLimit: limit, max: 0 })).history;
}

/** What a subscriber at `since` can recover, at most `max` messages. */
async function recoveryOf(channels: ChannelStore, channel: string, since: StoredPosition, max: number) {
  return (await channels.snapshot(channel, { historyLimit: 0, since, max })).recovery;
}

describe.each(IMPLEMENTATIONS)("ChannelStore contract: %s", (_name, createState) => {
  const open = openStates(createState);

  it("stores channel messages with gap-free offsets and keeps exactly the last `history`", async () => {
    const { channels } = await open();
    expect(await positionOf(channels, "chat")).toBeNull();
    const positions = [];
    for (let i = 1; i <= 5; i++) positions.push(await channels.publish("chat", JSON.stringify(`m${i}`), 3, "i1"));
    expect(positions.map((p) => p?.offset)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(positions.map((p) => p?.epoch)).size).toBe(1);
    expect(await historyOf(channels, "chat", 10)).toEqual(['"m5"', '"m4"', '"m3"']);
    expect(await historyOf(channels, "chat", 2)).toEqual(['"m5"', '"m4"']);
    expect(await positionOf(channels, "chat")).toEqual(positions[4]);
    expect(await channels.publish("chat", '"live"', 0, "i1")).toBeNull();
    expect(await historyOf(channels, "chat", 10)).toHaveLength(3);
  });

  it("starts a new epoch only from the epoch a subscriber saw, keeping offsets and stored messages", async () => {
    const { channels } = await open();
    for (let i = 1; i <= 3; i++) await channels.publish("news", JSON.stringify(i), 5, "i1");
    const seen = (await positionOf(channels, "news"))!;
    await channels.startNewEpoch("news", seen.epoch);
    const restarted = (await positionOf(channels, "news"))!;
    expect(restarted.epoch).not.toBe(seen.epoch);
    expect(restarted.offset).toBe(3);
    expect(await historyOf(channels, "news", 5)).toEqual(["3", "2", "1"]);
    expect(await recoveryOf(channels, "news", seen, 10)).toEqual({ recovered: false, missed: [] });
    // A second instance that saw the same going back changes nothing more.
    await channels.startNewEpoch("news", seen.epoch);
    expect(await positionOf(channels, "news")).toEqual(restarted);
    expect((await channels.publish("news", "4", 5, "i1"))?.epoch).toBe(restarted.epoch);
  });

  it("recovers exactly the messages after a position, or says it cannot", async () => {
    const { channels } = await open();
    for (let i = 1; i <= 6; i++) await channels.publish("feed", JSON.stringify({ i }), 4, "i1");
    const position = await positionOf(channels, "feed");
    const epoch = position?.epoch ?? "";
    expect(await recoveryOf(channels, "feed", { epoch, offset: 4 }, 100)).toEqual({
      recovered: true,
      missed: [
        { offset: 5, json: '{"i":5}' },
        { offset: 6, json: '{"i":6}' },
      ],
    });
    expect(await recoveryOf(channels, "feed", { epoch, offset: 6 }, 100)).toEqual({ recovered: true, missed: [] });
    // Offset 2 was trimmed away: messages 2 and 3 are gone, so nothing is replayed.
    expect(await recoveryOf(channels, "feed", { epoch, offset: 1 }, 100)).toEqual({ recovered: false, missed: [] });
    expect(await recoveryOf(channels, "feed", { epoch: "another", offset: 5 }, 100)).toEqual({
      recovered: false,
      missed: [],
    });
    expect(await recoveryOf(channels, "feed", { epoch, offset: 3 }, 2)).toEqual({ recovered: false, missed: [] });
    expect(await recoveryOf(channels, "never", { epoch, offset: 3 }, 2)).toEqual({ recovered: false, missed: [] });
  });

  it("reads a channel's position, history and missed messages as one snapshot", async () => {
    const { channels } = await open();
    expect(await channels.snapshot("none", { historyLimit: 5, max: 10 })).toEqual({ position: null, history: [] });
    for (let i = 1; i <= 5; i++) await channels.publish("snap", JSON.stringify(i), 10, "i1");
    const position = await positionOf(channels, "snap");
    expect(await channels.snapshot("snap", { historyLimit: 2, max: 10 })).toEqual({ position, history: ["5", "4"] });
    expect(await channels.snapshot("snap", { historyLimit: 0, max: 10 })).toEqual({ position, history: [] });
    const since = { epoch: position?.epoch ?? "", offset: 3 };
    expect(await channels.snapshot("snap", { historyLimit: 0, since, max: 10 })).toEqual({
      position,
      history: [],
      recovery: {
        recovered: true,
        missed: [
          { offset: 4, json: "4" },
          { offset: 5, json: "5" },
        ],
      },
    });
  });

  it("publishes channel messages on the channel's topic, with their position", async () => {
    const state = await open();
    const bus = state.createBus();
    try {
      const got: string[] = [];
      await bus.subscribe({ kind: "channel", channel: "news:1" }, (m) => got.push(m));
      const position = await state.channels.publish("news:1", '"stored"', 5, "origin-1");
      await state.channels.publish("news:1", '"live"', 0, "origin-1");
      await state.channels.publish("news:2", '"other"', 0, "origin-1");
      await waitUntil(async () => got.length === 2);
      const read = (message = "") => {
        const newline = message.indexOf("\n");
        return { header: JSON.parse(message.slice(0, newline)), json: message.slice(newline + 1) };
      };
      expect(read(got[0])).toEqual({
        header: { t: "channel", o: "origin-1", n: position?.offset, e: position?.epoch },
        json: '"stored"',
      });
      expect(read(got[1])).toEqual({ header: { t: "channel", o: "origin-1" }, json: '"live"' });
    } finally {
      await bus.close();
    }
  });
});
