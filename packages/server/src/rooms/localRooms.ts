import { decodeBusMessage } from "@meshwork/redis-state";
import { deliverBusPush } from "../delivery/localFanout";
import type { FeatureDeps, ServerFeature } from "../serverFeature";
import { TopicSubscriptions } from "../topics/topicSubscriptions";

/**
 * Told when a local connection becomes or stops being a member of a room, whatever made it so (a client join, a
 * server-side add or remove from any instance, a clear); presence follows room membership through it.
 */
export interface LocalRoomListener {
  /** Resolves once whatever follows the membership is done; the join is answered after it. */
  joined(room: string, connectionId: string): Promise<void>;
  left(room: string, connectionId: string): Promise<void>;
}

/**
 * The rooms of this instance's connections (the shared state holds every instance's; see `RoomMembership`): the
 * instance listens to a room's topic only while the room has a local member, and delivers what arrives on it, a
 * room broadcast or a clear, to those members.
 */
export class LocalRooms implements ServerFeature {
  private readonly topics: TopicSubscriptions<true>;

  constructor(
    private readonly deps: FeatureDeps,
    private readonly listener: LocalRoomListener,
  ) {
    this.topics = new TopicSubscriptions<true>(
      deps.bus,
      (room) => ({ kind: "room", room }),
      (room, message) => this.onRoomMessage(room, message),
      deps.subscriptionCap,
    );
  }

  /** Whether a connection is a local member of a room. */
  has(room: string, connectionId: string): boolean {
    return this.topics.has(room, connectionId);
  }

  /** Adds a local member; resolves once room broadcasts reach it. */
  async join(room: string, connectionId: string): Promise<void> {
    await this.topics.add(room, connectionId, true);
    // Left again while the subscription was being taken: its leave was already told.
    if (this.topics.membersOf(room).has(connectionId)) await this.listener.joined(room, connectionId);
  }

  /** Removes a local member; stops listening to the room when no local member is left. */
  async leave(room: string, connectionId: string): Promise<void> {
    if (await this.topics.remove(room, connectionId)) await this.listener.left(room, connectionId);
  }

  /** Removes every local member of a room. */
  async clear(room: string): Promise<void> {
    const members = [...this.membersOf(room)];
    await this.topics.clear(room);
    await Promise.all(members.map((connectionId) => this.listener.left(room, connectionId)));
  }

  /** Local members of a room (live view; do not modify). */
  membersOf(room: string): Iterable<string> {
    return this.topics.membersOf(room).keys();
  }

  /** Every local membership, as [room, connectionId] pairs. */
  memberships(): Iterable<[string, string]> {
    return this.topics.memberships();
  }

  /** Drops a closed connection's local memberships (features follow the close through their own cleanup). */
  onConnectionClosed(connectionId: string): Promise<void> {
    return this.topics.removeConnection(connectionId);
  }

  /**
   * Makes the local membership agree with the shared state about one membership that another instance changed.
   * The message only says that the membership changed, not what it is now: two changes made concurrently on
   * two instances can arrive here in the opposite order to the one the store applied them in, and trusting
   * the message kind would leave a local member the store no longer has (a ghost that keeps receiving room
   * broadcasts). So the owner reads the membership. Reads are issued in arrival order on the store's one
   * command connection, answered in that order and applied synchronously on arrival, so the last one applied
   * saw every change published before it.
   */
  async reconcile(room: string, connectionId: string): Promise<void> {
    const member = await this.deps.state.rooms.isMember(room, connectionId);
    // The connection may have closed meanwhile: its cleanup removes it from the store and the local rooms.
    if (member && this.deps.local.get(connectionId)?.isOpen) await this.join(room, connectionId);
    else await this.leave(room, connectionId);
  }

  private onRoomMessage(room: string, text: string): void {
    const message = decodeBusMessage(text);
    if (!message || message.header.o === this.deps.bus.instanceId) return;
    const { header, frame } = message;
    try {
      if (header.t === "push") deliverBusPush(this.deps.local, frame, header, this.membersOf(room));
      else if (header.t === "room-clear") void this.applyClear(room).catch(this.deps.reportError);
    } catch (error) {
      this.deps.reportError(error);
    }
  }

  /**
   * Another instance cleared a room. The local members go at once, so a room broadcast published after the
   * clear reaches none of them; then those that the store lists again (added concurrently, after the clear)
   * come back, for the same reason as in {@link reconcile}.
   */
  private async applyClear(room: string): Promise<void> {
    const cleared = [...this.membersOf(room)];
    if (cleared.length === 0) return;
    // Read first, so the read goes out in arrival order like every other reconciliation.
    const current = this.deps.state.rooms.members(room);
    const stopped = this.clear(room);
    const rejoined = current.then((list) => {
      const members = new Set(list);
      const back = cleared.filter((id) => members.has(id) && this.deps.local.get(id)?.isOpen);
      return Promise.all(back.map((id) => this.join(room, id)));
    });
    await Promise.all([stopped, rejoined]);
  }
}
