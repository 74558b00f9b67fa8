import type { ChannelMessage, ChannelPosition, SubscribeChannelResult } from "@meshwork/protocol";
import type { ChannelCallback, RecoveryInfo, SubscribeOptions } from "./types";

/** `subscribing`: a subscribe request is out and live messages are held back; `active`: they are delivered. */
export type ChannelSubscriptionState = "subscribing" | "active";

/** Where a channel subscription stands. */
interface ChannelSubscription {
  readonly channel: string;
  callback: ChannelCallback;
  options: SubscribeOptions;
  state: ChannelSubscriptionState;
  /**
   * The last stored message delivered, or where the subscription started. Messages of the same epoch at or
   * below it are duplicates; after a reconnect it is the `since` of the resubscription.
   */
  position: ChannelPosition | undefined;
  /**
   * Whether a subscribe was answered once. From then on the server streams every message to this client, so
   * live messages held back during a later request are all delivered (only duplicates are dropped).
   */
  established: boolean;
  /** The request whose answer makes the subscription active; answers to older requests only deliver `missed`. */
  activatingAttempt: number;
  /** Live messages that arrived while subscribing, in arrival order. */
  readonly buffer: ChannelMessage[];
}

/** One subscribe request on its way, from the application or from a restorer. */
export interface SubscribeAttempt {
  readonly channel: string;
  readonly id: number;
  /** The position sent as `since`, when the request recovers missed messages. */
  readonly since: ChannelPosition | undefined;
  readonly subscription: ChannelSubscription;
}

/** Receives what a callback or `onRecover` threw. */
export type ChannelErrorReporter = (error: unknown, channel: string, hook: "callback" | "onRecover") => void;

/**
 * The client's channel subscriptions, one per channel, and the single path every `channel-message` takes.
 * It holds live messages back while a subscribe request is out, then delivers `missed` (oldest first) followed
 * by the held-back messages, dropping any stored message at or below the last delivered offset of its epoch.
 * It does no I/O: the {@link ChannelManager} sends the requests and hands their answers here.
 */
export class ChannelSubscriptions {
  readonly #subscriptions = new Map<string, ChannelSubscription>();
  readonly #reportError: ChannelErrorReporter;
  #nextAttempt = 1;

  /** @param reportError receives what callbacks and `onRecover` throw; delivery goes on. */
  constructor(reportError: ChannelErrorReporter) {
    this.#reportError = reportError;
  }

  /** Number of subscribed channels. */
  get size(): number {
    return this.#subscriptions.size;
  }

  /** The state of a channel's subscription, or `undefined` when not subscribed. */
  stateOf(channel: string): ChannelSubscriptionState | undefined {
    return this.#subscriptions.get(channel)?.state;
  }

  /**
   * Starts an application's subscribe: creates the channel's subscription or replaces its callback and options,
   * and holds live messages back until this request's answer.
   */
  begin(channel: string, callback: ChannelCallback, options: SubscribeOptions): SubscribeAttempt {
    const id = this.#nextAttempt++;
    let subscription = this.#subscriptions.get(channel);
    if (subscription === undefined) {
      subscription = {
        channel,
        callback,
        options,
        state: "subscribing",
        position: undefined,
        established: false,
        activatingAttempt: id,
        buffer: [],
      };
      this.#subscriptions.set(channel, subscription);
    } else {
      subscription.callback = callback;
      subscription.options = options;
      subscription.state = "subscribing";
      subscription.activatingAttempt = id;
    }
    return { channel, id, since: undefined, subscription };
  }

  /**
   * Starts the resubscription of every established subscription after a reconnect, each from its last position.
   * Where an application's subscribe already waits to be sent, that one stays the request that activates.
   */
  beginRestore(): SubscribeAttempt[] {
    return [...this.#subscriptions.values()]
      .filter((subscription) => subscription.established)
      .map((subscription) => {
        const id = this.#nextAttempt++;
        if (subscription.state === "active") {
          subscription.state = "subscribing";
          subscription.activatingAttempt = id;
        }
        return { channel: subscription.channel, id, since: subscription.position, subscription };
      });
  }

  /** Whether the attempt's subscription is still the channel's (not unsubscribed or cleared since). */
  isCurrent(attempt: SubscribeAttempt): boolean {
    return this.#subscriptions.get(attempt.channel) === attempt.subscription;
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
    if (subscription.activatingAttempt !== attempt.id || !this.isCurrent(attempt)) return;

    const established = subscription.established;
    // A new subscription starts at the channel's position: what came before is history, not the callback's.
    if (!established && position !== undefined) subscription.position = { ...position };
    subscription.established = true;
    subscription.state = "active";
    this.#flush(subscription);
    // An established one keeps its own position, so a late live message is not mistaken for a duplicate;
    // only where it has none yet, or the channel's history started over (a new epoch), is the server's taken.
    if (established && position !== undefined && subscription.position?.epoch !== position.epoch) {
      subscription.position = position;
    }
  }

  /**
   * Ends a request that failed or was refused. If it was the activating one, the channel is unsubscribed and
   * `true` returned; an answer to a superseded request changes nothing.
   */
  fail(attempt: SubscribeAttempt): boolean {
    if (!this.isCurrent(attempt) || attempt.subscription.activatingAttempt !== attempt.id) return false;
    this.#subscriptions.delete(attempt.channel);
    return true;
  }

  /**
   * Ends a resubscription cut short by another drop: the subscription stays, delivers what it held back, and is
   * resubscribed from the same position after the next reconnect.
   */
  abort(attempt: SubscribeAttempt): void {
    const subscription = attempt.subscription;
    if (!this.isCurrent(attempt) || subscription.activatingAttempt !== attempt.id) return;
    subscription.state = "active";
    this.#flush(subscription);
  }

  /** Reports a resubscription's outcome to the subscription's `onRecover`. */
  notifyRecovery(attempt: SubscribeAttempt, info: RecoveryInfo): void {
    const onRecover = attempt.subscription.options.onRecover;
    if (onRecover === undefined) return;
    try {
      onRecover(info);
    } catch (error) {
      this.#reportError(error, attempt.channel, "onRecover");
    }
  }

  /** Unsubscribes locally: from now on the channel's messages are ignored. Returns whether it was subscribed. */
  remove(channel: string): boolean {
    return this.#subscriptions.delete(channel);
  }

  /** Drops every subscription. */
  clear(): void {
    this.#subscriptions.clear();
  }

  /** Routes a `channel-message`: held back while subscribing, delivered when active, ignored when unsubscribed. */
  receive(message: ChannelMessage): void {
    const subscription = this.#subscriptions.get(message.channel);
    if (subscription === undefined) return;
    if (subscription.state === "subscribing") subscription.buffer.push(message);
    else this.#deliver(subscription, message.message, message.epoch, message.offset);
  }

  #flush(subscription: ChannelSubscription): void {
    const { buffer } = subscription;
    const current = () => this.#subscriptions.get(subscription.channel) === subscription;
    // A callback may unsubscribe or subscribe again; what is left then is dropped or stays held back.
    while (buffer.length > 0 && subscription.state === "active" && current()) {
      const message = buffer.shift() as ChannelMessage;
      this.#deliver(subscription, message.message, message.epoch, message.offset);
    }
    if (!current()) buffer.length = 0;
  }

  #deliver(
    subscription: ChannelSubscription,
    message: unknown,
    epoch: string | undefined,
    offset: number | undefined,
  ): void {
    if (epoch !== undefined && offset !== undefined) {
      const last = subscription.position;
      if (last !== undefined && last.epoch === epoch && offset <= last.offset) return;
      subscription.position = { epoch, offset };
    }
    try {
      subscription.callback(message);
    } catch (error) {
      this.#reportError(error, subscription.channel, "callback");
    }
  }
}
