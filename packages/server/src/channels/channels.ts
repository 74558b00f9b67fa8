import {
  CHANNEL_COMMANDS,
  MAX_HISTORY_LIMIT,
  type SubscribeChannelPayload,
  type SubscribeChannelResult,
  channelNameSchema,
  subscribeChannelPayloadSchema,
  unsubscribeChannelPayloadSchema,
} from "@meshwork/protocol";
import { type AccessGuard, AccessRules } from "../access/accessRules";
import type { Connection } from "../connections/connection";
import { type BuiltinCommand, type FeatureDeps, type ServerFeature, builtinCommand } from "../serverFeature";
import { LocalChannelSubscribers } from "./localChannelSubscribers";

/**
 * Client-subscribable pub/sub channels: exposure rules, the `mesh/subscribe-channel` and `mesh/unsubscribe-channel`
 * commands, this instance's subscribers, publishing.
 */
export class Channels implements ServerFeature {
  readonly commands: readonly BuiltinCommand[] = [
    builtinCommand(CHANNEL_COMMANDS.subscribe, subscribeChannelPayloadSchema, (ctx) =>
      this.subscribe(ctx.connection, ctx.payload),
    ),
    builtinCommand(CHANNEL_COMMANDS.unsubscribe, unsubscribeChannelPayloadSchema, (ctx) =>
      this.subscribers.remove(ctx.payload.channel, ctx.connection.id),
    ),
  ];
  private readonly exposure: AccessRules;
  private readonly subscribers: LocalChannelSubscribers;

  constructor(private readonly deps: FeatureDeps) {
    this.exposure = new AccessRules("channel", deps.reportError);
    this.subscribers = new LocalChannelSubscribers(
      deps.local,
      deps.bus,
      deps.reportError,
      deps.subscriptionCap,
      (channel, seenEpoch) => deps.state.channels.startNewEpoch(channel, seenEpoch),
    );
  }

  /** Lets clients subscribe to a channel, or to every channel a pattern matches, optionally behind a guard. */
  expose(channel: string | RegExp, guard?: AccessGuard): void {
    this.exposure.expose(channel, guard);
  }

  /**
   * Publishes a message to every subscriber, on every instance; with `history > 0`, stores it first.
   * @throws TypeError (synchronously) for an invalid channel name or history, or a message that is not
   * JSON-serialisable.
   */
  publish(channel: string, message: unknown, history: number): Promise<void> {
    if (!channelNameSchema.safeParse(channel).success) {
      throw new TypeError(`meshwork: invalid channel name ${JSON.stringify(channel)}`);
    }
    if (!Number.isSafeInteger(history) || history < 0) {
      throw new TypeError(`meshwork: history must be a whole number >= 0, got ${String(history)}`);
    }
    const json = JSON.stringify(message);
    if (json === undefined) throw new TypeError("meshwork: a channel message must be JSON-serialisable");
    return this.deps.state.channels
      .publish(channel, json, history, this.deps.bus.instanceId)
      .then(() => this.deps.metrics.broadcast("channel"));
  }

  /** Drops a closed connection's subscriptions. */
  onConnectionClosed(connectionId: string): Promise<void> {
    return this.subscribers.removeConnection(connectionId);
  }

  /**
   * `mesh/subscribe-channel`. Registers the subscriber first and then reads position, history and missed messages
   * in one atomic snapshot, so nothing published in between is lost: a message may arrive both live and in the
   * result, and the client drops the copy by its offset. A subscription starts at the returned position: stored
   * messages up to it are the past (the history), later ones are live.
   */
  private async subscribe(connection: Connection, payload: SubscribeChannelPayload): Promise<SubscribeChannelResult> {
    const { channel, historyLimit = 0, since } = payload;
    const access = await this.exposure.check(connection, channel);
    if (!access.allowed) return { success: false, reason: access.reason, history: [] };
    // The add below counts the subscription before it yields, so checking right before it cannot overshoot.
    this.deps.subscriptionCap.check(connection.id, this.subscribers.has(channel, connection.id));
    if (!(await this.subscribers.add(channel, connection.id))) {
      // The connection closed while its subscription was being decided: nobody is left to answer.
      return { success: false, reason: "The connection closed", history: [] };
    }
    const limit = Math.min(historyLimit, MAX_HISTORY_LIMIT);
    const { history, position, recovery } = await this.deps.state.channels.snapshot(channel, {
      historyLimit: limit,
      max: MAX_HISTORY_LIMIT,
      ...(since ? { since } : {}),
    });
    const result: SubscribeChannelResult = { success: true, history: history.map((json) => JSON.parse(json)) };
    if (position) result.position = position;
    if (recovery) {
      result.recovered = recovery.recovered;
      result.missed = recovery.missed.map(({ offset, json }) => ({ offset, message: JSON.parse(json) }));
    }
    return result;
  }
}
