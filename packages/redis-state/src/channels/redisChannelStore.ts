import { randomUUID } from "node:crypto";
import { channelBusMessage } from "../bus/busMessages";
import type { RedisCommands } from "../redis/redisCommands";
import {
  type ChannelSnapshot,
  type ChannelSnapshotOptions,
  type StoredPosition,
  recoveryFrom,
} from "./channelRecovery";
import type { ChannelStore } from "./channelStore";

/** The value of `field` in a stream entry's flat field list. */
function fieldValue(fields: string[], field: string): string {
  const index = fields.indexOf(field);
  return index === -1 ? "null" : (fields[index + 1] ?? "null");
}

/**
 * The {@link ChannelStore} on Redis: a channel's stored messages are a stream whose entry ids are their offsets, and
 * its epoch and newest offset a hash; storing and publishing is one Lua script (`publishToChannelScript`).
 */
export class RedisChannelStore implements ChannelStore {
  constructor(private readonly commands: RedisCommands) {}

  async publish(channel: string, json: string, history: number, origin: string): Promise<StoredPosition | null> {
    const k = this.commands.keys;
    if (history <= 0) {
      await this.commands.redis.spublish(k.busChannel(channel), channelBusMessage(origin, json));
      return null;
    }
    const [epoch, offset] = (await this.commands.run(
      "meshPublishToChannel",
      [k.channelMeta(channel), k.channelHistory(channel), k.busChannel(channel)],
      [json, Math.floor(history), origin, randomUUID()],
    )) as [string, number];
    return { epoch, offset: Number(offset) };
  }

  async snapshot(channel: string, options: ChannelSnapshotOptions): Promise<ChannelSnapshot> {
    const k = this.commands.keys;
    const { historyLimit, since, max } = options;
    // One MULTI: no publish can land between the position, the history and the missed messages.
    const transaction = this.commands.redis.multi().hmget(k.channelMeta(channel), "epoch", "offset");
    transaction.xrevrange(k.channelHistory(channel), "+", "-", "COUNT", Math.max(1, historyLimit));
    if (since) transaction.xrange(k.channelHistory(channel), `${since.offset + 1}-0`, "+", "COUNT", max);
    const results = (await transaction.exec()) ?? [];
    const [epoch, offset] = (results[0]?.[1] ?? []) as (string | null)[];
    const position = epoch ? { epoch, offset: Number(offset ?? 0) } : null;
    const newest = (results[1]?.[1] ?? []) as [string, string[]][];
    const history = historyLimit > 0 ? newest.map(([, fields]) => fieldValue(fields, "d")) : [];
    if (!since) return { position, history };
    const after = ((results[2]?.[1] ?? []) as [string, string[]][]).map(([id, fields]) => ({
      offset: Number(id.split("-")[0]),
      json: fieldValue(fields, "d"),
    }));
    return { position, history, recovery: recoveryFrom(since, position, after, max) };
  }

  async startNewEpoch(channel: string, seenEpoch: string): Promise<void> {
    await this.commands.run(
      "meshStartChannelEpoch",
      [this.commands.keys.channelMeta(channel)],
      [seenEpoch, randomUUID()],
    );
  }
}
