import { encodeServerMessage } from "@meshwork/protocol";
import { decodeBusMessage } from "@meshwork/redis-state";
import type { ClusterNode } from "../cluster/clusterNode";
import { LocalSubscribers } from "../cluster/localSubscribers";
import type { ConnectionRegistry } from "../connectionRegistry";
import { PreparedFrame } from "../preparedFrame";

/**
 * Local subscribers of application channels. The instance listens to a channel's topic only while it has a
 * local subscriber; each message arrives once per instance and is encoded once for all its local subscribers.
 */
export class ChannelSubscriptions {
  private readonly subscribers: LocalSubscribers<true>;

  constructor(
    private readonly registry: ConnectionRegistry,
    node: ClusterNode,
    private readonly reportError: (error: unknown) => void,
  ) {
    this.subscribers = new LocalSubscribers(node, (channel) => ({ kind: "channel", channel }), (channel, message) =>
      this.deliver(channel, message),
    );
  }

  /**
   * Adds a local subscriber; resolves once messages published from now on reach it. Idempotent.
   *
   * Resolves false, adding nothing, for a connection that is no longer local: it closed while its subscribe was
   * under way (e.g. waiting for a guard), its disconnect cleanup has already run or will find nothing, and a
   * subscriber added now would hold the channel's Redis subscription for good.
   */
  async add(channel: string, connectionId: string): Promise<boolean> {
    if (!this.registry.get(connectionId)) return false;
    await this.subscribers.add(channel, connectionId, true);
    return true;
  }

  /** Removes a local subscriber; returns whether it was one. */
  remove(channel: string, connectionId: string): Promise<boolean> {
    return this.subscribers.remove(channel, connectionId);
  }

  /** Removes a connection from every channel (it disconnected). */
  removeConnection(connectionId: string): Promise<void> {
    return this.subscribers.removeConnection(connectionId);
  }

  private deliver(channel: string, text: string): void {
    const subscribers = this.subscribers.subscribersOf(channel);
    if (!subscribers || subscribers.size === 0) return;
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
    for (const id of subscribers.keys()) this.registry.get(id)?.sendFrame(frame);
  }
}
