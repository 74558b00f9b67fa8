import {
  CHANNEL_COMMANDS,
  type ChannelPosition,
  MAX_HISTORY_LIMIT,
  type MeshError,
  type SubscribeChannelPayload,
  type SubscribeChannelResult,
  subscribeChannelPayloadSchema,
  subscribeChannelResultSchema,
} from "@meshwork/protocol";
import { invalidPayload, unreadable } from "../subscriptions/subscriptionErrors";

/** Validates a subscribe locally, as the server would, after capping `historyLimit`. */
export function subscribePayload(
  channel: string,
  historyLimit: number | undefined,
): SubscribeChannelPayload | MeshError {
  const limit = typeof historyLimit === "number" ? Math.min(historyLimit, MAX_HISTORY_LIMIT) : historyLimit;
  const parsed = subscribeChannelPayloadSchema.safeParse(
    limit === undefined ? { channel } : { channel, historyLimit: limit },
  );
  return parsed.success ? parsed.data : invalidPayload(parsed.error.issues);
}

/** Reads the server's answer to a channel subscribe; throws `BAD_MESSAGE` when it has another shape. */
export function parseSubscribeResult(result: unknown): SubscribeChannelResult {
  const parsed = subscribeChannelResultSchema.safeParse(result);
  if (parsed.success) return parsed.data;
  throw unreadable(CHANNEL_COMMANDS.subscribe, parsed.error.issues);
}

/**
 * Whether a resubscription from `since` gave back everything published meanwhile. The server's word counts when
 * it says no; a new epoch, a history that is gone, or a hole in the replayed offsets (stored offsets count up by
 * one) also mean messages were lost.
 */
export function isRecovered(since: ChannelPosition | undefined, result: SubscribeChannelResult): boolean {
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
