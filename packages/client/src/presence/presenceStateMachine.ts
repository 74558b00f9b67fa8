import type { PresenceEvent, PresenceMember, PresencePosition } from "@meshwork/protocol";
import {
  type StateListener,
  type SubscriptionAttempt,
  type SubscriptionEntry,
  SubscriptionStateMachine,
} from "../subscriptions/subscriptionStateMachine";

/** A `presence` frame as the client receives it: one event of a room, with its position in the room's history. */
export interface PresenceFrame {
  readonly event: PresenceEvent;
  readonly position: PresencePosition;
}

/** Where a room's events and snapshots go: the room's presence store. */
export interface PresenceSink {
  /** Takes the members and states of a subscribe answer (the first one, or one after a reconnect). */
  load(present: readonly PresenceMember[], states: Readonly<Record<string, unknown>>): void;
  /** Takes one event that is after the answer's position, once, in order. */
  deliver(event: PresenceEvent): void;
}

/** Where a room's presence subscription stands. */
interface PresenceSubscription extends SubscriptionEntry<PresenceFrame> {
  readonly sink: PresenceSink;
  /** The position of the last answer or delivered event: events not after it are in what the sink knows. */
  position: PresencePosition | undefined;
}

/** One subscribe request of a room on its way, the application's or a restoring one. */
export type PresenceAttempt = SubscriptionAttempt<PresenceSubscription>;

/** Whether `position` comes after `known`: a larger epoch, or the same epoch and a larger seq. */
export function isAfter(position: PresencePosition, known: PresencePosition): boolean {
  return position.epoch > known.epoch || (position.epoch === known.epoch && position.seq > known.seq);
}

/**
 * The client's presence subscriptions, one per room, and the one path every `presence` frame takes. The server
 * sends each event to a watcher once and does not filter by the watcher's snapshot, so here a room's frames are
 * held back while its subscribe is out; the answer is loaded, then every held frame not after the answer's
 * position is dropped and the rest delivered in order. Later frames are dropped the same way, so a replayed or
 * late frame never reaches a listener twice.
 */
export class PresenceStateMachine extends SubscriptionStateMachine<
  PresenceFrame,
  PresenceSubscription,
  PresenceAttempt
> {
  /** Starts a room's subscription, holding its frames back until the answer. */
  begin(roomName: string, sink: PresenceSink, onState?: StateListener): PresenceAttempt {
    const id = this.nextAttemptId();
    const subscription: PresenceSubscription = {
      key: roomName,
      sink,
      position: undefined,
      state: "subscribing",
      established: false,
      activatingAttempt: id,
      buffer: [],
      onState,
    };
    this.add(subscription);
    return { key: roomName, id, subscription };
  }

  /**
   * Applies a successful answer if it is the activating one (returns whether it was): the sink loads the snapshot
   * and the position becomes the answer's (also when it is behind the last one: the room's history started over).
   * With `activateNow`, the held frames after that position are delivered at once; otherwise at {@link activate}.
   */
  complete(
    attempt: PresenceAttempt,
    answer: {
      present: readonly PresenceMember[];
      states: Readonly<Record<string, unknown>>;
      position: PresencePosition;
    },
    activateNow: boolean,
  ): boolean {
    if (!this.isActivating(attempt)) return false;
    const subscription = attempt.subscription;
    subscription.position = { ...answer.position };
    subscription.established = true;
    subscription.sink.load(answer.present, answer.states);
    if (activateNow) this.activate(attempt);
    return true;
  }

  /** Delivers what an answered attempt held back and makes its subscription active. */
  activate(attempt: PresenceAttempt): void {
    if (!this.isActivating(attempt)) return;
    this.setState(attempt.subscription, "active");
    this.flush(attempt.subscription);
  }

  protected keyOf(frame: PresenceFrame): string {
    return frame.event.roomName;
  }

  protected restoreAttempt(subscription: PresenceSubscription, id: number): PresenceAttempt {
    return { key: subscription.key, id, subscription };
  }

  protected apply(subscription: PresenceSubscription, frame: PresenceFrame): void {
    const known = subscription.position;
    if (known !== undefined && !isAfter(frame.position, known)) return;
    subscription.position = { ...frame.position };
    subscription.sink.deliver(frame.event);
  }
}
