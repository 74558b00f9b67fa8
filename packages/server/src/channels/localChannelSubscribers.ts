import { encodeServerMessage } from "@meshwork/protocol";
import { decodeBusMessage } from "@meshwork/redis-state";
import type { ClusterBus } from "../cluster/clusterBus";
import type { LocalConnections } from "../connections/localConnections";
import { sendToMembers } from "../delivery/localFanout";
import type { MembershipCounter } from "../topics/topicMembers";
import { RelayedPositions } from "../topics/relayedPositions";
import { TopicSubscriptions } from "../topics/topicSubscriptions";
import { PreparedFrame } from "../transport/preparedFrame";

/**
 * This instance's subscribers of application channels. The instance listens to a channel's topic only while it has
 * a local subscriber; each message arrives once per instance and is encoded once for all its local subscribers.
 */
export class LocalChannelSubscribers {
  private readonly topics: TopicSubscriptions<true>;
  private readonly offsets: RelayedPositions;

  constructor(
    private readonly local: LocalConnections,
    bus: ClusterBus,
    private readonly reportError: (error: unknown) => void,
    counter: MembershipCounter,
    private readonly startNewEpoch: (channel: string, seenEpoch: string) => Promise<void>,
  ) {
    this.topics = new TopicSubscriptions<true>(
      bus,
      (channel) => ({ kind: "channel", channel }),
      (channel, message) => this.deliver(channel, message),
      counter,
      (channel) => this.offsets.forget(channel),
    );
    this.offsets = new RelayedPositions(local, reportError);
  }

  /** Whether a connection subscribes to a channel here. */
  has(channel: string, connectionId: string): boolean {
    return this.topics.has(channel, connectionId);
  }

  /**
   * Adds a local subscriber; resolves once messages published from now on reach it. Idempotent.
   *
   * Resolves false, adding nothing, for a connection that is no longer local: it closed while its subscribe was
   * under way (e.g. waiting for a guard), its disconnect cleanup has already run or will find nothing, and a
   * subscriber added now would hold the channel's Redis subscription for good.
   */
  async add(channel: string, connectionId: string): Promise<boolean> {
    if (!this.local.get(connectionId)) return false;
    await this.topics.add(channel, connectionId, true);
    return true;
  }

  /** Removes a local subscriber; returns whether it was one. */
  remove(channel: string, connectionId: string): Promise<boolean> {
    return this.topics.remove(channel, connectionId);
  }

  /** Removes a connection from every channel (it closed). */
  removeConnection(connectionId: string): Promise<void> {
    return this.topics.removeConnection(connectionId);
  }

  private deliver(channel: string, text: string): void {
    const subscribers = this.topics.membersOf(channel);
    if (subscribers.size === 0) return;
    const decoded = decodeBusMessage(text);
    if (decoded?.header.t !== "channel") return;
    let frame: PreparedFrame;
    try {
      const { n, e } = decoded.header;
      if (n !== undefined && e !== undefined && this.offsets.wentBack("channel", channel, n, e)) {
        this.restartHistory(channel, e, [...subscribers.keys()]);
        return;
      }
      const message: unknown = JSON.parse(decoded.frame);
      frame = new PreparedFrame(
        Buffer.from(
          encodeServerMessage(
            n === undefined || e === undefined
              ? { type: "channel-message", channel, message }
              : { type: "channel-message", channel, message, offset: n, epoch: e },
          ),
        ),
      );
    } catch (error) {
      this.reportError(new Error(`meshwork: unreadable message on channel "${channel}"`, { cause: error }));
      return;
    }
    sendToMembers(this.local, subscribers.keys(), frame);
  }

  /**
   * The channel's offsets went back (a failover lost stored messages), so offsets its subscribers hold will be
   * handed out again: positions alone could no longer tell a new message from one they have. A new epoch makes
   * their recovery answer `recovered: false` and start them at the channel's position; they are closed once it is
   * written, so they resubscribe against it.
   */
  private restartHistory(channel: string, epoch: string, subscribers: string[]): void {
    void this.startNewEpoch(channel, epoch)
      .catch((error: unknown) => this.reportError(error))
      .finally(() => this.offsets.reset(subscribers));
  }
}
