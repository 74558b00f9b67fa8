import { randomUUID } from "node:crypto";
import { channelOf } from "../bus/bus";
import { channelBusMessage } from "../bus/busMessages";
import type { MemoryData } from "../memory/memoryData";
import {
  type ChannelSnapshot,
  type ChannelSnapshotOptions,
  type StoredPosition,
  recoveryFrom,
} from "./channelRecovery";
import type { ChannelStore } from "./channelStore";

/** The {@link ChannelStore} in process memory. */
export class MemoryChannelStore implements ChannelStore {
  constructor(private readonly data: MemoryData) {}

  async publish(channel: string, json: string, history: number, origin: string): Promise<StoredPosition | null> {
    let position: StoredPosition | undefined;
    if (history > 0) {
      let entry = this.data.channels.get(channel);
      if (!entry) {
        entry = { epoch: randomUUID(), offset: 0, stored: [] };
        this.data.channels.set(channel, entry);
      }
      entry.offset += 1;
      entry.stored.push({ offset: entry.offset, json });
      if (entry.stored.length > history) entry.stored.splice(0, entry.stored.length - history);
      position = { epoch: entry.epoch, offset: entry.offset };
    }
    this.data.hub.publish(
      channelOf(this.data.keys, { kind: "channel", channel }),
      channelBusMessage(origin, json, position),
    );
    return position ?? null;
  }

  async snapshot(channel: string, options: ChannelSnapshotOptions): Promise<ChannelSnapshot> {
    // Nothing can run between these reads in one process: the snapshot is atomic as it is.
    const entry = this.data.channels.get(channel);
    const stored = entry?.stored ?? [];
    const position = entry ? { epoch: entry.epoch, offset: entry.offset } : null;
    const history = stored
      .slice(Math.max(0, stored.length - options.historyLimit))
      .reverse()
      .map((message) => message.json);
    const { since, max } = options;
    if (!since) return { position, history };
    const after = stored.filter((message) => message.offset > since.offset).slice(0, max);
    return { position, history, recovery: recoveryFrom(since, position, after, max) };
  }

  async startNewEpoch(channel: string, seenEpoch: string): Promise<void> {
    const entry = this.data.channels.get(channel);
    if (entry?.epoch === seenEpoch) entry.epoch = randomUUID();
  }
}
