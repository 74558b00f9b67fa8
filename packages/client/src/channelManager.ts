import {
  CHANNEL_COMMANDS,
  type ChannelMessage,
  type ChannelPosition,
  MAX_HISTORY_LIMIT,
  MeshError,
  type SubscribeChannelPayload,
  type SubscribeChannelResult,
  subscribeChannelPayloadSchema,
  subscribeChannelResultSchema,
  toMeshError,
  unsubscribeChannelPayloadSchema,
} from "@meshwork/protocol";
import { ChannelSubscriptions, type SubscribeAttempt } from "./channelSubscriptions";
import type { RestoreContext } from "./session";
import {
  SubscriptionManager,
  type SubscriptionManagerHooks,
  callbackError,
  invalidPayload,
  unreadable,
} from "./subscriptionSupport";
import type { ChannelCallback, SubscribeOptions, SubscribeResult } from "./types";

/** What the manager needs from its client. */
export type ChannelManagerHooks = SubscriptionManagerHooks;


/** Validates a subscribe locally, as the server would, after capping `historyLimit`. */
function subscribePayload(channel: string, historyLimit: number | undefined): SubscribeChannelPayload | MeshError {
  const limit = typeof historyLimit === "number" ? Math.min(historyLimit, MAX_HISTORY_LIMIT) : historyLimit;
  const parsed = subscribeChannelPayloadSchema.safeParse(
    limit === undefined ? { channel } : { channel, historyLimit: limit },
  );
  return parsed.success ? parsed.data : invalidPayload(parsed.error.issues);
}

function parseSubscribeResult(result: unknown): SubscribeChannelResult {
  const parsed = subscribeChannelResultSchema.safeParse(result);
  if (parsed.success) return parsed.data;
  throw unreadable(CHANNEL_COMMANDS.subscribe, parsed.error.issues);
}

/**
 * Whether a resubscription from `since` gave back everything published meanwhile. The server's word counts when
 * it says no; a new epoch, a history that is gone, or a hole in the replayed offsets (stored offsets count up by
 * one) also mean messages were lost.
 */
function isRecovered(since: ChannelPosition | undefined, result: SubscribeChannelResult): boolean {
  if (result.recovered === false) return false;
  if (since === undefined) return true;
  if (result.position === undefined) return result.recovered === true;
  if (result.position.epoch !== since.epoch) return false;
  let expected = since.offset + 1;
  for (const { offset } of result.missed ?? []) {
    if (offset > expected) return false;
    if (offset === expected) expected += 1;
  }
  return true;
}

/**
 * Channel subscriptions of one client: `subscribe` / `unsubscribe` requests, the one routing path for
 * `channel-message` frames, and their restoration after a reconnect. Requests for the same channel go out one
 * after the other, so the server never sees an unsubscribe overtake the subscribe that follows it.
 */
export class ChannelManager extends SubscriptionManager<ChannelMessage, SubscribeAttempt> {
  protected readonly subscriptions: ChannelSubscriptions;

  constructor(hooks: ChannelManagerHooks) {
    super(hooks, CHANNEL_COMMANDS.unsubscribe);
    this.subscriptions = new ChannelSubscriptions((error, channel, hook) => {
      const who = hook === "callback" ? "callback" : "onRecover handler";
      hooks.reportError(callbackError(who, `channel "${channel}"`, { channel }, error));
    });
  }

  /** Subscribes to a channel, or replaces the callback and options of its subscription. */
  subscribe(channel: string, callback: ChannelCallback, options: SubscribeOptions = {}): Promise<SubscribeResult> {
    if (typeof callback !== "function") {
      return Promise.reject(new TypeError(`The callback of channel "${String(channel)}" must be a function`));
    }
    const payload = subscribePayload(channel, options.historyLimit);
    if (payload instanceof MeshError) return Promise.reject(payload);
    const attempt = this.subscriptions.begin(channel, callback, options);
    return this.queue.run(channel, async (): Promise<SubscribeResult> => {
      let result: SubscribeChannelResult;
      try {
        result = parseSubscribeResult(await this.hooks.request(CHANNEL_COMMANDS.subscribe, payload));
      } catch (error) {
        this.subscriptions.fail(attempt);
        throw error;
      }
      if (!result.success) {
        this.subscriptions.fail(attempt);
        return result.reason === undefined
          ? { success: false, history: [] }
          : { success: false, history: [], reason: result.reason };
      }
      this.subscriptions.complete(attempt, result);
      return { success: true, history: result.history };
    });
  }

  /** Unsubscribes at once locally, then tells the server; resolves with whether the server had a subscription. */
  unsubscribe(channel: string): Promise<boolean> {
    const parsed = unsubscribeChannelPayloadSchema.safeParse({ channel });
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    return this.unsubscribeKey(channel, parsed.data);
  }

  /**
   * Resubscribes a channel on the new connection from its last position, delivers what was missed, and tells its
   * `onRecover`.
   */
  protected async restoreOne(attempt: SubscribeAttempt, request: RestoreContext["request"]): Promise<void> {
    const { channel } = attempt;
    let since = attempt.since;
    const resubscribe = async (from: ChannelPosition | undefined) => {
      const payload: SubscribeChannelPayload = { channel, historyLimit: 0 };
      if (from !== undefined) payload.since = from;
      return parseSubscribeResult(await request(CHANNEL_COMMANDS.subscribe, payload));
    };
    let result: SubscribeChannelResult;
    try {
      result = await resubscribe(since);
      // Without a position the subscription never saw a stored message, so every message the channel holds now
      // was stored after it started and missed: ask again from the start of the epoch (the server's subscribe
      // is idempotent, and live messages stay held back until this answer).
      if (since === undefined && result.success && result.position !== undefined && result.position.offset > 0) {
        since = { epoch: result.position.epoch, offset: 0 };
        result = await resubscribe(since);
      }
    } catch (thrown) {
      const error = toMeshError(thrown, "INTERNAL_ERROR");
      // The new connection dropped too: keep the subscription for the next reconnect to restore.
      if (error.code === "CONNECTION_CLOSED") {
        this.subscriptions.abort(attempt);
        return;
      }
      const message = `Could not restore the subscription to channel "${channel}": ${error.message}`;
      this.#giveUp(attempt, new MeshError(error.code, message, { cause: error, details: { channel } }));
      return;
    }
    if (!result.success) {
      const why = result.reason === undefined ? "" : `: ${result.reason}`;
      const message = `The server refused to restore the subscription to channel "${channel}"${why}`;
      this.#giveUp(attempt, new MeshError("FORBIDDEN", message, { details: { channel, reason: result.reason } }));
      return;
    }
    if (!this.subscriptions.isCurrent(attempt)) return;
    const recovered = isRecovered(since, result);
    this.subscriptions.complete(attempt, result);
    this.subscriptions.notifyRecovery(attempt, { channel, recovered, missed: result.missed?.length ?? 0 });
  }

  #giveUp(attempt: SubscribeAttempt, error: MeshError): void {
    if (!this.subscriptions.isCurrent(attempt)) return;
    this.subscriptions.fail(attempt);
    this.hooks.reportError(error);
    this.subscriptions.notifyRecovery(attempt, { channel: attempt.channel, recovered: false, missed: 0 });
  }

}
