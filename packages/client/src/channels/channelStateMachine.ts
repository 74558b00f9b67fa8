import type { ChannelMessage, ChannelPosition, SubscribeChannelResult } from "@meshwork/protocol";
import {
  type StateListener,
  type SubscriptionAttempt,
  type SubscriptionEntry,
  SubscriptionStateMachine,
} from "../subscriptions/subscriptionStateMachine";
import type { RecoveryInfo, SubscribeOptions } from "../types";

/**
 * Receives each message of a channel once, in order, with its stored position when it has one (a message
 * published with history); a channel store fans it out to its listeners.
 */
export type ChannelDelivery = (message: unknown, stored: ChannelPosition | undefined) => void;

/** Where a channel subscription stands. */
interface ChannelSubscription extends SubscriptionEntry<ChannelMessage> {
  callback: ChannelDelivery;
  options: SubscribeOptions;
  /**
   * The last stored message delivered, or where the subscription started. Messages of the same epoch at or
   * below it are duplicates; after a reconnect it is the `since` of the resubscription.
   */
  position: ChannelPosition | undefined;
}

/** One subscribe request on its way, from the application or from a restorer. */
export interface SubscribeAttempt extends SubscriptionAttempt<ChannelSubscription> {
  /** The position sent as `since`, when the request recovers missed messages. */
  readonly since: ChannelPosition | undefined;
}

/** Receives what a callback or `onRecover` threw. */
export type ChannelErrorReporter = (error: unknown, channel: string, hook: "callback" | "onRecover") => void;

/**
 * The client's channel subscriptions, one per channel, and the single path every `channel-message` takes. On
 * top of {@link SubscriptionStateMachine} it deduplicates by stored position: `missed` (oldest first) goes before
 * the held-back messages, and any stored message at or below the last delivered offset of its epoch is dropped.
 * The {@link ChannelManager} sends the requests and hands their answers here.
 */
export class ChannelStateMachine extends SubscriptionStateMachine<
  ChannelMessage,
  ChannelSubscription,
  SubscribeAttempt
> {
  readonly #reportError: ChannelErrorReporter;

  /** @param reportError receives what callbacks and `onRecover` throw; delivery goes on. */
  constructor(reportError: ChannelErrorReporter) {
    super();
    this.#reportError = reportError;
  }

  /**
   * Starts a subscribe request: creates the channel's subscription or replaces its callback and options, and
   * holds live messages back until this request's answer.
   */
  begin(
    channel: string,
    callback: ChannelDelivery,
    options: SubscribeOptions,
    onState?: StateListener,
  ): SubscribeAttempt {
    const [id, subscription] = this.beginAttempt(
      channel,
      (first) => ({
        key: channel,
        callback,
        options,
        state: "subscribing",
        position: undefined,
        established: false,
        activatingAttempt: first,
        buffer: [],
        onState,
      }),
      (existing) => {
        existing.callback = callback;
        existing.options = options;
      },
    );
    return { key: channel, id, since: undefined, subscription };
  }

  /**
   * Applies a successful answer: delivers `missed`, and if this request activates the subscription, delivers
   * the held-back messages and makes it active.
   */
  complete(attempt: SubscribeAttempt, result: SubscribeChannelResult): void {
    if (!this.isCurrent(attempt)) return;
    const subscription = attempt.subscription;
    const { position } = result;
    const last = subscription.position;
    // The same epoch behind what was delivered: the history was rolled back (e.g. Redis restored from an older
    // snapshot), so its offsets will be handed out again and must not pass for duplicates.
    if (position !== undefined && last?.epoch === position.epoch && position.offset < last.offset) {
      subscription.position = { ...position };
    }
    const epoch = position?.epoch ?? attempt.since?.epoch;
    for (const { offset, message } of result.missed ?? []) {
      if (!this.isCurrent(attempt)) return;
      this.#deliver(subscription, message, epoch, offset);
    }
    if (!this.isActivating(attempt)) return;

    const established = subscription.established;
    // A new subscription starts at the channel's position: what came before is history, not the callback's.
    if (!established && position !== undefined) subscription.position = { ...position };
    subscription.established = true;
    this.setState(subscription, "active");
    this.flush(subscription);
    // An established one keeps its own position, so a late live message is not mistaken for a duplicate;
    // only where it has none yet, or the channel's history started over (a new epoch), is the server's taken.
    if (established && position !== undefined && subscription.position?.epoch !== position.epoch) {
      subscription.position = position;
    }
  }

  /**
   * Ends a resubscription cut short by another drop: the subscription stays, delivers what it held back, and is
   * resubscribed from the same position after the next reconnect.
   */
  abort(attempt: SubscribeAttempt): void {
    if (!this.isActivating(attempt)) return;
    this.setState(attempt.subscription, "active");
    this.flush(attempt.subscription);
  }

  /** Reports a resubscription's outcome to the subscription's `onRecover`. */
  notifyRecovery(attempt: SubscribeAttempt, info: RecoveryInfo): void {
    const onRecover = attempt.subscription.options.onRecover;
    if (onRecover === undefined) return;
    try {
      onRecover(info);
    } catch (error) {
      this.#reportError(error, attempt.key, "onRecover");
    }
  }

  protected keyOf(message: ChannelMessage): string {
    return message.channel;
  }

  protected restoreAttempt(subscription: ChannelSubscription, id: number): SubscribeAttempt {
    return { key: subscription.key, id, since: subscription.position, subscription };
  }

  protected apply(subscription: ChannelSubscription, message: ChannelMessage): void {
    this.#deliver(subscription, message.message, message.epoch, message.offset);
  }

  #deliver(
    subscription: ChannelSubscription,
    message: unknown,
    epoch: string | undefined,
    offset: number | undefined,
  ): void {
    let stored: ChannelPosition | undefined;
    if (epoch !== undefined && offset !== undefined) {
      const last = subscription.position;
      if (last !== undefined && last.epoch === epoch && offset <= last.offset) return;
      stored = { epoch, offset };
      subscription.position = stored;
    }
    try {
      subscription.callback(message, stored);
    } catch (error) {
      this.#reportError(error, subscription.key, "callback");
    }
  }
}
