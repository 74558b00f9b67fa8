import type { BusTopic } from "@meshwork/redis-state";
import { type MembershipCounter, TopicMembers } from "./topicMembers";

/** What the topic index needs from the bus: nothing but subscribing and unsubscribing. */
export interface TopicBus {
  /** Resolves once the subscription is active; subscribing again replaces the handler. */
  subscribe(topic: BusTopic, handler: (message: string) => void): Promise<void>;
  unsubscribe(topic: BusTopic): Promise<void>;
}

/**
 * One way to hold a topic (a room, a channel, a record) on this instance: its local members, each with a value of
 * its own, and this instance's bus subscription to it, taken when the first local member arrives and dropped when
 * the last one leaves (leave, clear or disconnect). Each message arrives once per instance, for all its members.
 *
 * Guarantees:
 * - {@link add} resolves once the instance listens to the topic, so every message published after it resolves
 *   reaches the member; a member that joins while the first one's subscription is under way waits for that same
 *   subscription rather than taking another or resolving early;
 * - a failed subscription undoes the add and rejects, for every member waiting on it;
 * - a member joining again while the last one's leave is being carried out keeps the subscription.
 */
export class TopicSubscriptions<V> {
  private readonly members: TopicMembers<V>;
  /** Subscriptions under way, so later members wait for the first one's. */
  private readonly subscribing = new Map<string, Promise<void>>();

  constructor(
    private readonly bus: TopicBus,
    private readonly topicOf: (key: string) => BusTopic,
    private readonly onMessage: (key: string, message: string) => void,
    counter?: MembershipCounter,
    /** Called once the instance stopped listening to a topic (its last local member left). */
    private readonly onDropped?: (key: string) => void,
  ) {
    this.members = new TopicMembers<V>(counter);
  }

  /** Adds a member (or changes its value); resolves once messages published from now on reach it. */
  async add(key: string, connectionId: string, value: V): Promise<void> {
    if (this.members.add(key, connectionId, value)) {
      const subscribed = this.bus.subscribe(this.topicOf(key), (message) => this.onMessage(key, message));
      this.subscribing.set(key, subscribed);
      void subscribed
        .finally(() => {
          if (this.subscribing.get(key) === subscribed) this.subscribing.delete(key);
        })
        .catch(() => undefined);
    }
    try {
      await this.subscribing.get(key);
    } catch (error) {
      await this.remove(key, connectionId);
      throw error;
    }
  }

  /** Removes a member; returns whether it was one. Resolves once the topic is dropped when it was the last. */
  async remove(key: string, connectionId: string): Promise<boolean> {
    if (!this.members.has(key, connectionId)) return false;
    if (this.members.remove(key, connectionId)) await this.unsubscribeUnlessJoined(key);
    return true;
  }

  /** Removes a connection from every topic (it closed); drops the topics it leaves empty. */
  async removeConnection(connectionId: string): Promise<void> {
    await Promise.all(this.members.removeConnection(connectionId).map((key) => this.unsubscribeUnlessJoined(key)));
  }

  /** Removes every local member of a topic and drops it. */
  async clear(key: string): Promise<void> {
    if (this.members.clear(key).length > 0) await this.unsubscribeUnlessJoined(key);
  }

  /** Whether a connection is a local member of a topic. */
  has(key: string, connectionId: string): boolean {
    return this.members.has(key, connectionId);
  }

  /** The local members of a topic with their values (live view; do not modify). */
  membersOf(key: string): ReadonlyMap<string, V> {
    return this.members.membersOf(key);
  }

  /** Every local membership, as [key, connectionId] pairs. */
  memberships(): IterableIterator<[string, string]> {
    return this.members.memberships();
  }

  private async unsubscribeUnlessJoined(key: string): Promise<void> {
    await this.subscribing.get(key)?.catch(() => undefined);
    // Someone joined again while the last one was leaving: keep the subscription.
    if (this.members.membersOf(key).size > 0) return;
    this.onDropped?.(key);
    await this.bus.unsubscribe(this.topicOf(key));
  }
}
