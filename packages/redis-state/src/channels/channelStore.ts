import type { ChannelSnapshot, ChannelSnapshotOptions, StoredPosition } from "./channelRecovery";

/** Application channels: publishing on a channel's bus topic, and the stored history a subscriber reads and recovers from. */
export interface ChannelStore {
  /**
   * Publishes a message (its JSON text) on a channel's bus topic, tagged with `origin`. With `history > 0` it is
   * first stored, and the channel's history trimmed to exactly `history` messages, in the same atomic step; the
   * stored message's position is returned and travels with it. One round trip either way.
   */
  publish(channel: string, json: string, history: number, origin: string): Promise<StoredPosition | null>;

  /**
   * A channel's position, its newest `historyLimit` messages (newest first) and, with `since`, the messages after it
   * (oldest first, at most `max`, all of them or `recovered: false`), read atomically: the history ends exactly at the
   * position, so a subscriber can tell what is history from what arrives live.
   */
  snapshot(channel: string, options: ChannelSnapshotOptions): Promise<ChannelSnapshot>;

  /**
   * Starts a new epoch of a channel's history if its epoch is still `seenEpoch`: for a history that went back (a
   * failover lost stored messages), whose offsets would otherwise be handed out again under the epoch subscribers
   * hold. Offsets and stored messages stay; only positions of the old epoch stop being recoverable.
   */
  startNewEpoch(channel: string, seenEpoch: string): Promise<void>;
}
