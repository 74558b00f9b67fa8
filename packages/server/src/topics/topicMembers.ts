/** Told of every membership a connection gains or loses, e.g. to count its subscriptions across kinds. */
export interface MembershipCounter {
  added(connectionId: string): void;
  removed(connectionId: string): void;
}

/**
 * Which local connections are members of which topics (a room, a channel, a record), on this instance only, each
 * with a value of its own (such as a record's delivery mode). It only keeps the members and says when a topic got
 * its first member and when its last one left; subscribing is {@link TopicSubscriptions}' business.
 */
export class TopicMembers<V> {
  private readonly membersByTopic = new Map<string, Map<string, V>>();
  private readonly topicsByConnection = new Map<string, Set<string>>();

  constructor(private readonly counter?: MembershipCounter) {}

  /** Adds a member (or replaces its value). Returns true when the topic had no member before. */
  add(topic: string, connectionId: string, value: V): boolean {
    let members = this.membersByTopic.get(topic);
    const first = !members;
    if (!members) {
      members = new Map();
      this.membersByTopic.set(topic, members);
    }
    if (this.counter && !members.has(connectionId)) this.counter.added(connectionId);
    members.set(connectionId, value);
    let topics = this.topicsByConnection.get(connectionId);
    if (!topics) {
      topics = new Set();
      this.topicsByConnection.set(connectionId, topics);
    }
    topics.add(topic);
    return first;
  }

  /** Removes a member. Returns true when the topic has no member left (false for a non-member). */
  remove(topic: string, connectionId: string): boolean {
    const members = this.membersByTopic.get(topic);
    if (!members?.delete(connectionId)) return false;
    this.counter?.removed(connectionId);
    const topics = this.topicsByConnection.get(connectionId);
    topics?.delete(topic);
    if (topics?.size === 0) this.topicsByConnection.delete(connectionId);
    if (members.size > 0) return false;
    this.membersByTopic.delete(topic);
    return true;
  }

  /** Removes a connection from every topic; returns the topics that have no member left. */
  removeConnection(connectionId: string): string[] {
    const emptied: string[] = [];
    for (const topic of [...(this.topicsByConnection.get(connectionId) ?? [])]) {
      if (this.remove(topic, connectionId)) emptied.push(topic);
    }
    return emptied;
  }

  /** Removes every member of a topic; returns them. */
  clear(topic: string): string[] {
    const members = [...(this.membersByTopic.get(topic)?.keys() ?? [])];
    for (const connectionId of members) this.remove(topic, connectionId);
    return members;
  }

  /** Whether a connection is a member of a topic. */
  has(topic: string, connectionId: string): boolean {
    return this.membersByTopic.get(topic)?.has(connectionId) ?? false;
  }

  /** Members of a topic with their values (live view; do not modify). */
  membersOf(topic: string): ReadonlyMap<string, V> {
    return this.membersByTopic.get(topic) ?? (EMPTY as ReadonlyMap<string, V>);
  }

  /** Topics of a connection. */
  topicsOf(connectionId: string): string[] {
    return [...(this.topicsByConnection.get(connectionId) ?? [])];
  }

  /** Topics with at least one member. */
  topics(): string[] {
    return [...this.membersByTopic.keys()];
  }

  /** Every membership, as [topic, connectionId] pairs. */
  *memberships(): IterableIterator<[string, string]> {
    for (const [topic, members] of this.membersByTopic) for (const id of members.keys()) yield [topic, id];
  }
}

const EMPTY: ReadonlyMap<string, unknown> = new Map<string, unknown>();
