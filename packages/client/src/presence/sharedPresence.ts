import type { MeshError, PresenceEvent, PresenceMember } from "@meshwork/protocol";
import { SharedSubscription } from "../subscriptions/sharedSubscription";
import type { SubscriptionState } from "../subscriptions/subscriptionStateMachine";
import { presenceDifference, sameValue } from "./presenceDifference";
import type { PresenceSink } from "./presenceStateMachine";
import type { PresenceCallback, PresenceMemberInfo, PresenceStoreSnapshot } from "./presenceTypes";

/**
 * The shared presence subscription of one room: the members and states it knows (from the subscribe answer and
 * every event since), every listener told each event once, in the order they joined, and observers told when the
 * snapshot changes. After a reconnect the new answer is compared with what it knew, and the difference delivered
 * as events, so listeners and observers end where the server is without a second join or a missing leave.
 */
export class SharedPresence extends SharedSubscription<PresenceCallback, true, PresenceStoreSnapshot> {
  readonly #members = new Map<string, PresenceMemberInfo>();
  readonly #states = new Map<string, unknown>();
  #loaded = false;
  #snapshot: PresenceStoreSnapshot = { members: [], states: {}, status: "subscribing", error: undefined };

  /** Whether an answer was loaded: from then on {@link members} and {@link states} are the room as known. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** The members this store knows now. */
  get members(): PresenceMemberInfo[] {
    return [...this.#members.values()];
  }

  /** The states this store knows now, member id → state. */
  get states(): Record<string, unknown> {
    return Object.fromEntries(this.#states);
  }

  /** Adds a listener; one already there stays as it is. */
  listen(callback: PresenceCallback): void {
    this.addListener(callback, true);
  }

  getSnapshot(): PresenceStoreSnapshot {
    return this.#snapshot;
  }

  /** Where the state machine sends this room's answers and events. */
  readonly sink: PresenceSink = {
    load: (present, states) => this.#load(present, states),
    deliver: (event) => this.#deliver(event),
  };

  /** Follows the network subscription's state. */
  readonly stateChanged = (state: SubscriptionState): void => {
    this.#update({ status: state });
  };

  protected onEnd(error: MeshError | undefined): void {
    this.#snapshot = { ...this.#snapshot, status: error === undefined ? "idle" : "error", error };
  }

  #load(present: readonly PresenceMember[], states: Readonly<Record<string, unknown>>): void {
    if (!this.#loaded) {
      this.#loaded = true;
      for (const member of present) this.#members.set(member.connectionId, { ...member });
      for (const [id, state] of Object.entries(states)) if (state !== null) this.#states.set(id, state);
      this.#publish();
      return;
    }
    const known = { members: this.#members, states: this.#states };
    for (const event of presenceDifference(this.key, known, present, states)) {
      if (this.ended) return;
      this.#deliver(event);
    }
    // Members that stayed may now be served by other connections: not an event, but what the store shows.
    let changed = false;
    for (const member of present) {
      const mine = this.#members.get(member.connectionId);
      if (mine !== undefined && !sameValue(mine.connectionIds, member.connectionIds)) {
        this.#members.set(member.connectionId, { ...mine, connectionIds: member.connectionIds });
        changed = true;
      }
    }
    if (changed) this.#publish();
  }

  #deliver(event: PresenceEvent): void {
    if (this.#apply(event)) this.#publish();
    for (const [callback] of this.currentListeners()) {
      if (!this.listeners.has(callback)) continue;
      try {
        callback(event);
      } catch (error) {
        this.reportError(error, "callback");
      }
    }
  }

  /** Applies an event to what the store knows; returns whether the snapshot changes. */
  #apply(event: PresenceEvent): boolean {
    const id = event.connectionId;
    switch (event.type) {
      case "join":
        this.#members.set(id, {
          connectionId: id,
          connectionIds: event.connectionIds ?? this.#members.get(id)?.connectionIds ?? [id],
          metadata: event.metadata ?? null,
        });
        return true;
      case "leave":
        this.#states.delete(id);
        return this.#members.delete(id);
      case "state": {
        const state = event.state ?? null;
        if (sameValue(this.#states.get(id) ?? null, state)) return false;
        if (state === null) this.#states.delete(id);
        else this.#states.set(id, state);
        return true;
      }
    }
  }

  #publish(): void {
    this.#snapshot = { ...this.#snapshot, members: this.members, states: this.states };
    this.changed();
  }

  #update(change: Partial<PresenceStoreSnapshot>): void {
    const last = this.#snapshot;
    const next = { ...last, ...change };
    if (next.status === last.status && next.error === last.error) return;
    this.#snapshot = next;
    this.changed();
  }
}
