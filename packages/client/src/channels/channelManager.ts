import {
  CHANNEL_COMMANDS,
  type ChannelMessage,
  type ChannelPosition,
  MeshError,
  type SubscribeChannelPayload,
  type SubscribeChannelResult,
  toMeshError,
  unsubscribeChannelPayloadSchema,
} from "@meshwork/protocol";
import type { RestoreContext } from "../session";
import type { ChannelStore, ChannelStoreSnapshot } from "../storeTypes";
import { callbackError, invalidPayload, notAFunction } from "../subscriptions/subscriptionErrors";
import { SubscriptionManager, type SubscriptionManagerHooks } from "../subscriptions/subscriptionManager";
import type { ChannelCallback, SubscribeOptions, SubscribeResult } from "../types";
import { isRecovered, parseSubscribeResult, subscribePayload } from "./channelRequests";
import { ChannelStateMachine, type SubscribeAttempt } from "./channelStateMachine";
import { SharedChannel } from "./sharedChannel";

const IDLE: ChannelStoreSnapshot = Object.freeze({ status: "idle", recovery: undefined, error: undefined });

function refused(reason: string | undefined): SubscribeResult {
  return reason === undefined ? { success: false, history: [] } : { success: false, history: [], reason };
}

/**
 * Channel subscriptions of one client: one {@link SharedChannel} per channel shared by all its listeners, the
 * `subscribe` / `unsubscribe` requests, the one routing path for `channel-message` frames, and restoration after
 * a reconnect. Requests for the same channel go out one after the other, so the server never sees an unsubscribe
 * overtake the subscribe that follows it.
 */
export class ChannelManager extends SubscriptionManager<
  ChannelMessage,
  SubscribeAttempt,
  SharedChannel,
  ChannelStoreSnapshot
> {
  protected readonly machine: ChannelStateMachine;
  /** The first listener's subscribe of each store, which later listeners wait for. */
  readonly #started = new WeakMap<SharedChannel, Promise<SubscribeResult>>();

  constructor(hooks: SubscriptionManagerHooks) {
    super(hooks, CHANNEL_COMMANDS.unsubscribe, IDLE);
    this.machine = new ChannelStateMachine((error, channel, hook) => this.#reportCallback(channel, hook, error));
  }

  /**
   * Adds a listener to a channel. The first one subscribes on the server; later ones share that subscription,
   * and only ask the server again for the history they want (see `SubscribeOptions.historyLimit`).
   */
  subscribe(channel: string, callback: ChannelCallback, options: SubscribeOptions = {}): Promise<SubscribeResult> {
    if (typeof callback !== "function") return Promise.reject(notAFunction("channel", channel));
    const payload = subscribePayload(channel, options.historyLimit);
    if (payload instanceof MeshError) return Promise.reject(payload);
    const existing = this.stores.get(channel);
    const store = existing ?? this.#open(channel, payload);
    store.listen(callback, options);
    const started = this.#started.get(store) as Promise<SubscribeResult>;
    if (existing === undefined) return started;
    if ((payload.historyLimit ?? 0) > 0) return this.#history(store, callback, payload);
    return started.then((result) => (result.success ? { success: true, history: [] } : result));
  }

  /**
   * Removes `callback`'s listener, or without one the whole subscription. When no listener is left, the
   * subscription ends at once locally and the server is told; resolves with whether the server had it (or, while
   * other listeners remain, whether `callback` was one).
   */
  unsubscribe(channel: string, callback?: ChannelCallback): Promise<boolean> {
    const parsed = unsubscribeChannelPayloadSchema.safeParse({ channel });
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    return this.unsubscribeKey(channel, parsed.data, callback && ((store) => store.removeListener(callback)));
  }

  /** The observable store of a channel; observing it holds the subscription. */
  store(channel: string): ChannelStore {
    const payload = subscribePayload(channel, undefined);
    if (payload instanceof MeshError) throw payload;
    const open = () => {
      const store = this.#open(channel, payload);
      (this.#started.get(store) as Promise<SubscribeResult>).catch(() => undefined);
      return store;
    };
    return { channel, ...this.storeHandle(channel, { channel }, open) };
  }

  /**
   * Resubscribes a channel on the new connection from its last position, delivers what was missed, and tells its
   * listeners' `onRecover`.
   */
  protected async restoreOne(attempt: SubscribeAttempt, request: RestoreContext["request"]): Promise<void> {
    const channel = attempt.key;
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
        this.machine.abort(attempt);
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
    if (!this.machine.isCurrent(attempt)) return;
    const recovered = isRecovered(since, result);
    this.machine.complete(attempt, result);
    this.machine.notifyRecovery(attempt, { channel, recovered, missed: result.missed?.length ?? 0 });
  }

  /** Creates a channel's store and sends the subscribe that starts it. */
  #open(channel: string, payload: SubscribeChannelPayload): SharedChannel {
    const store = new SharedChannel(channel, (error, hook) => this.#reportCallback(channel, hook, error));
    this.stores.set(channel, store);
    const attempt = this.machine.begin(channel, store.deliver, { onRecover: store.recovered }, store.stateChanged);
    const started = this.queue.run(channel, async (): Promise<SubscribeResult> => {
      let result: SubscribeChannelResult;
      try {
        result = parseSubscribeResult(await this.hooks.request(CHANNEL_COMMANDS.subscribe, payload));
      } catch (thrown) {
        if (this.machine.fail(attempt)) this.endStore(channel, toMeshError(thrown, "INTERNAL_ERROR"), store);
        throw thrown;
      }
      if (!result.success) {
        const error = new MeshError("FORBIDDEN", result.reason ?? `The server refused channel "${channel}"`);
        if (this.machine.fail(attempt)) this.endStore(channel, error, store);
        return refused(result.reason);
      }
      this.machine.complete(attempt, result);
      return { success: true, history: result.history };
    });
    this.#started.set(store, started);
    return store;
  }

  /**
   * Gets the history a listener joining a live subscription asked for. The server's subscribe is idempotent: the
   * answer gives history and its end position, and changes nothing about the shared subscription; the
   * listener's messages wait meanwhile, and those its history holds are skipped.
   */
  #history(
    store: SharedChannel,
    callback: ChannelCallback,
    payload: SubscribeChannelPayload,
  ): Promise<SubscribeResult> {
    const channel = store.key;
    store.hold(callback);
    return this.queue.run(channel, async (): Promise<SubscribeResult> => {
      // A refused or failed request removes its listener, as a first subscribe that fails leaves nothing behind.
      const leave = () => {
        if (store.removeListener(callback) && store.holders === 0 && this.stores.get(channel) === store) {
          void this.unsubscribe(channel).catch((error: unknown) => this.hooks.reportError(toMeshError(error)));
        }
      };
      let result: SubscribeChannelResult;
      try {
        result = parseSubscribeResult(await this.hooks.request(CHANNEL_COMMANDS.subscribe, payload));
      } catch (error) {
        leave();
        throw error;
      }
      if (!result.success) {
        leave();
        return refused(result.reason);
      }
      store.release(callback, result.position);
      return { success: true, history: result.history };
    });
  }

  #giveUp(attempt: SubscribeAttempt, error: MeshError): void {
    if (!this.machine.isCurrent(attempt)) return;
    const store = this.stores.get(attempt.key);
    const dropped = this.machine.fail(attempt);
    this.hooks.reportError(error);
    this.machine.notifyRecovery(attempt, { channel: attempt.key, recovered: false, missed: 0 });
    if (dropped) this.endStore(attempt.key, error, store);
  }

  #reportCallback(channel: string, hook: "callback" | "observer" | "onRecover", error: unknown): void {
    const who = hook === "onRecover" ? "onRecover handler" : hook;
    this.hooks.reportError(callbackError(who, `channel "${channel}"`, { channel }, error));
  }
}
