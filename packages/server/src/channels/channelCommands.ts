import {
  CHANNEL_COMMANDS,
  MAX_HISTORY_LIMIT,
  type SubscribeChannelResult,
  subscribeChannelPayloadSchema,
  unsubscribeChannelPayloadSchema,
} from "@meshwork/protocol";
import type { MeshState } from "@meshwork/redis-state";
import type { CommandRouter } from "../commandRouter";
import type { AccessRules } from "../access/accessRules";
import type { ChannelSubscriptions } from "./channelSubscriptions";

/**
 * Registers the built-in channel commands. Subscribing registers the subscriber first and then reads position,
 * history and missed messages in one atomic snapshot, so nothing published in between is lost: a message may
 * arrive both live and in the result, and the client drops the copy by its offset. A subscription starts at the
 * returned position: stored messages up to it are the past (the history), later ones are live.
 */
export function registerChannelCommands(
  router: CommandRouter,
  state: MeshState,
  exposure: AccessRules,
  subscriptions: ChannelSubscriptions,
): void {
  router.registerBuiltin(
    CHANNEL_COMMANDS.subscribe,
    async (ctx): Promise<SubscribeChannelResult> => {
      const { channel, historyLimit = 0, since } = ctx.payload;
      const access = await exposure.check(ctx.connection, channel);
      if (!access.allowed) return { success: false, reason: access.reason, history: [] };
      if (!(await subscriptions.add(channel, ctx.connection.id))) {
        // The connection closed while its subscription was being decided: nobody is left to answer.
        return { success: false, reason: "The connection closed", history: [] };
      }
      const limit = Math.min(historyLimit, MAX_HISTORY_LIMIT);
      const { history, position, recovery } = await state.channels.snapshot(channel, {
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
    },
    { schema: subscribeChannelPayloadSchema },
  );

  router.registerBuiltin(
    CHANNEL_COMMANDS.unsubscribe,
    (ctx) => subscriptions.remove(ctx.payload.channel, ctx.connection.id),
    { schema: unsubscribeChannelPayloadSchema },
  );
}
