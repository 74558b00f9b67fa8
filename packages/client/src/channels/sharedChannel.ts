import type { ChannelPosition, MeshError } from "@meshwork/protocol";
import type { ChannelStoreSnapshot } from "../storeTypes";
import { SharedSubscription } from "../subscriptions/sharedSubscription";
import type { SubscriptionState } from "../subscriptions/subscriptionStateMachine";
import type { ChannelCallback, RecoveryInfo, SubscribeOptions } from "../types";

/** A message on its way to one listener, with its stored position when it has one. */
interface Delivery {
  readonly message: unknown;
  readonly stored: ChannelPosition | undefined;
}

/** One listener of a channel store. */
interface ChannelListener {
  options: SubscribeOptions;
  /** Messages held back while this listener waits for the history it asked for; `undefined` when it does not. */
  held: Delivery[] | undefined;
  /** Where this listener's history ended: stored messages of that epoch up to it are in its history already. */
  floor: ChannelPosition | undefined;
}

/**
 * The shared subscription to one channel: the state machine delivers each message once to {@link deliver}, which
 * hands it to every listener in the order they joined, and the store shows status and recovery to observers.
 *
 * A listener that joins a live subscription and asks for history gets it from a request of its own; until that
 * answer, its messages are held back, then those its history already holds are skipped, so it sees every message
 * once whether through its history or its callback, while the other listeners are not touched.
 */
export class SharedChannel extends SharedSubscription<ChannelCallback, ChannelListener, ChannelStoreSnapshot> {
  #snapshot: ChannelStoreSnapshot = { status: "subscribing", recovery: undefined, error: undefined };

  /** Adds a listener, or gives one already there new options. */
  listen(callback: ChannelCallback, options: SubscribeOptions): void {
    const listener = this.listeners.get(callback);
    if (listener === undefined) this.addListener(callback, { options, held: undefined, floor: undefined });
    else listener.options = options;
  }

  getSnapshot(): ChannelStoreSnapshot {
    return this.#snapshot;
  }

  /** Delivers one message of the channel to every listener; the state machine calls it once per message. */
  readonly deliver = (message: unknown, stored: ChannelPosition | undefined): void => {
    for (const [callback, listener] of this.currentListeners()) {
      if (this.listeners.get(callback) !== listener) continue;
      if (listener.held === undefined) this.#call(callback, listener, { message, stored });
      else listener.held.push({ message, stored });
    }
  };

  /** Follows the network subscription's state. */
  readonly stateChanged = (state: SubscriptionState): void => {
    this.#update({ status: state });
  };

  /** Tells every listener's `onRecover`, and observers, how a restoration went. */
  readonly recovered = (info: RecoveryInfo): void => {
    for (const [callback, listener] of this.currentListeners()) {
      const onRecover = listener.options.onRecover;
      if (onRecover === undefined || this.listeners.get(callback) !== listener) continue;
      try {
        onRecover(info);
      } catch (error) {
        this.reportError(error, "onRecover");
      }
    }
    this.#update({ recovery: info });
  };

  /** Holds a listener's messages back until {@link release}: it waits for the history it asked for. */
  hold(callback: ChannelCallback): void {
    const listener = this.listeners.get(callback);
    if (listener !== undefined && listener.held === undefined) listener.held = [];
  }

  /**
   * Ends a hold: delivers what was held back, skipping stored messages up to `position` (the end of the history
   * the listener got), and keeps skipping those that arrive later.
   */
  release(callback: ChannelCallback, position: ChannelPosition | undefined): void {
    const listener = this.listeners.get(callback);
    if (listener?.held === undefined) return;
    const held = listener.held;
    listener.held = undefined;
    listener.floor = position;
    for (const delivery of held) {
      if (this.listeners.get(callback) !== listener || listener.held !== undefined) return;
      this.#call(callback, listener, delivery);
    }
  }

  protected onEnd(error: MeshError | undefined): void {
    this.#snapshot = { ...this.#snapshot, status: error === undefined ? "idle" : "error", error };
  }

  #call(callback: ChannelCallback, listener: ChannelListener, { message, stored }: Delivery): void {
    const floor = listener.floor;
    if (floor !== undefined && stored !== undefined) {
      if (stored.epoch === floor.epoch && stored.offset <= floor.offset) return;
      listener.floor = undefined;
    }
    try {
      callback(message);
    } catch (error) {
      this.reportError(error, "callback");
    }
  }

  #update(change: Partial<ChannelStoreSnapshot>): void {
    const last = this.#snapshot;
    const next = { ...last, ...change };
    if (next.status === last.status && next.recovery === last.recovery && next.error === last.error) return;
    this.#snapshot = next;
    this.changed();
  }
}
