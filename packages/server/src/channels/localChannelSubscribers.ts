import { encodeServerMessage } from "@meshwork/protocol";
import { decodeBusMessage } from "@meshwork/redis-state";
import type { ClusterBus } from "../cluster/clusterBus";
import type { LocalConnections } from "../connections/localConnections";
import { sendToMembers } from "../delivery/localFanout";
import type { MembershipCounter } from "../topics/topicMembers";
import { TopicSubscriptions } from "../topics/topicSubscriptions";
import { PreparedFrame } from "../transport/preparedFrame";

/**
 * This instance's subscribers of application channels. The instance listens to a channel's topic only while it has
 * a local subscriber; each message arrives once per instance and is encoded once for all its local subscribers.
 */
export class LocalChannelSubscribers {
  private readonly topics: TopicSubscriptions<true>;

  constructor(
    private readonly local: LocalConnections,
    bus: ClusterBus,
    private readonly reportError: (error: unknown) => void,
    counter: MembershipCounter,
  ) {
    this.topics = new TopicSubscriptions<true>(
      bus,
      (channel) => ({ kind: "channel", channel }),
      (channel, message) => this.deliver(channel, message),
      counter,
    );
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
}
