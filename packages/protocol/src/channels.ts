import { z } from "zod";

/** Longest channel name accepted. */
export const MAX_CHANNEL_NAME_LENGTH = 256;

/**
 * Most history messages one subscribe returns, and most missed messages one recovery replays. A larger
 * `historyLimit` is capped to this, not honoured.
 */
export const MAX_HISTORY_LIMIT = 1_000;

/** A channel name: 1–256 characters, no control characters. */
export const channelNameSchema = z
  .string()
  .min(1)
  .max(MAX_CHANNEL_NAME_LENGTH)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse control characters.
  .regex(/^[^\u0000-\u001f\u007f]+$/, "channel names may not contain control characters");

/**
 * Where a channel's stored history stands: `epoch` names one continuous history (it changes when the history
 * is lost, e.g. Redis restarted empty), `offset` counts the messages stored in it, the last one included.
 */
export const channelPositionSchema = z.object({
  epoch: z.string().min(1).max(64),
  offset: z.number().int().nonnegative(),
});

/** Built-in command `mesh/subscribe-channel`: its payload. */
export const subscribeChannelPayloadSchema = z.object({
  channel: channelNameSchema,
  /** Stored messages to return, newest first; capped at {@link MAX_HISTORY_LIMIT}. */
  historyLimit: z.number().int().nonnegative().optional(),
  /** After a reconnect: the last position the client saw, to replay what it missed. */
  since: channelPositionSchema.optional(),
});

/** Built-in command `mesh/subscribe-channel`: its result. */
export const subscribeChannelResultSchema = z.object({
  success: z.boolean(),
  /** Why a subscription was refused (not exposed, denied by a guard). */
  reason: z.string().optional(),
  /** Stored messages, newest first (when `historyLimit` was given). */
  history: z.array(z.unknown()),
  /** The channel's position at subscribe time; absent for a channel without stored history. */
  position: channelPositionSchema.optional(),
  /** With `since`: the messages published after it, oldest first. */
  missed: z.array(z.object({ offset: z.number().int().nonnegative(), message: z.unknown() })).optional(),
  /**
   * With `since`: whether `missed` holds every message published after it. False when the history no longer
   * holds them all (trimmed, expired, or a new epoch); then `missed` is empty.
   */
  recovered: z.boolean().optional(),
});

/** Built-in command `mesh/unsubscribe-channel`: its payload. */
export const unsubscribeChannelPayloadSchema = z.object({ channel: channelNameSchema });

export type ChannelPosition = z.infer<typeof channelPositionSchema>;
export type SubscribeChannelPayload = z.infer<typeof subscribeChannelPayloadSchema>;
export type SubscribeChannelResult = z.infer<typeof subscribeChannelResultSchema>;
export type UnsubscribeChannelPayload = z.infer<typeof unsubscribeChannelPayloadSchema>;

/** Names of the built-in channel commands. */
export const CHANNEL_COMMANDS = {
  subscribe: "mesh/subscribe-channel",
  unsubscribe: "mesh/unsubscribe-channel",
} as const;
