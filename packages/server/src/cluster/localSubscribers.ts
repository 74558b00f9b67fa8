import type { BusTopic } from "@meshwork/redis-state";
import type { ClusterNode } from "./clusterNode";

/**
 * Local subscribers of keyed topics (application channels, records), each with a value of its own (such as a
 * record's delivery mode), and this instance's bus subscription to each topic: taken when the first local
 * subscriber arrives, dropped when the last one leaves (unsubscribe or disconnect).
 */
export class LocalSubscribers<V> {
  private readonly byKey = new Map<string, Map<string, V>>();
  private readonly keysByConnection = new Map<string, Set<string>>();
  /** Bus subscriptions under way, so later subscribers wait for the first one's. */
  private readonly listening = new Map<string, Promise<void>>();

  constructor(
    private readonly node: ClusterNode,
    private readonly topicOf: (key: string) => BusTopic,
    private readonly onMessage: (key: string, message: string) => void,
  ) {}

  /**
   * Adds (or updates) a local subscriber. Resolves once the instance listens to the topic, so every message
   * published after this resolves reaches the connection. A failed bus subscription undoes the add and rejects.
   */
  async add(key: string, connectionId: string, value: V): Promise<void> {
    let subscribers = this.byKey.get(key);
    if (!subscribers) {
      subscribers = new Map();
      this.byKey.set(key, subscribers);
      const listening = this.node.listen(this.topicOf(key), (message) => this.onMessage(key, message));
      this.listening.set(key, listening);
      void listening
        .finally(() => {
          if (this.listening.get(key) === listening) this.listening.delete(key);
        })
        .catch(() => undefined);
    }
    subscribers.set(connectionId, value);
    let keys = this.keysByConnection.get(connectionId);
    if (!keys) {
      keys = new Set();
      this.keysByConnection.set(connectionId, keys);
    }
    keys.add(key);
    try {
      await this.listening.get(key);
    } catch (error) {
      await this.remove(key, connectionId);
      throw error;
    }
  }

  /** Removes a local subscriber; returns whether it was one. */
  async remove(key: string, connectionId: string): Promise<boolean> {
    const subscribers = this.byKey.get(key);
    if (!subscribers?.delete(connectionId)) return false;
    const keys = this.keysByConnection.get(connectionId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByConnection.delete(connectionId);
    if (subscribers.size === 0) await this.stopListening(key);
    return true;
  }

  /** Removes a connection from every topic (it disconnected). */
  async removeConnection(connectionId: string): Promise<void> {
    const keys = [...(this.keysByConnection.get(connectionId) ?? [])];
    await Promise.all(keys.map((key) => this.remove(key, connectionId)));
  }

  /** The local subscribers of a topic with their values (live view; do not modify). */
  subscribersOf(key: string): ReadonlyMap<string, V> | undefined {
    return this.byKey.get(key);
  }

  private async stopListening(key: string): Promise<void> {
    this.byKey.delete(key);
    await this.listening.get(key)?.catch(() => undefined);
    // Someone subscribed again while the subscription was still being taken: keep it.
    if (this.byKey.has(key)) return;
    await this.node.unlisten(this.topicOf(key));
  }
}
