import type { ChannelStoreSnapshot, MeshError, StoreStatus } from "@meshwork/client";
import { useMemo, useSyncExternalStore } from "react";
import { ChannelBuffer, emptyChannelBuffer } from "./internal/channelBuffer";
import { useMesh } from "./useMesh";
import { useSharedStore } from "./useSharedStore";

/** How many messages {@link useChannel} keeps when `max` is not given. */
export const DEFAULT_CHANNEL_MAX = 100;

/** Options of {@link useChannel}. */
export interface UseChannelOptions {
  /** Stored messages to show first, when the channel keeps history (capped at 1000 by the client). @default 0 */
  historyLimit?: number;
  /** The most messages kept; older ones are dropped first. @default 100 ({@link DEFAULT_CHANNEL_MAX}) */
  max?: number;
}

/** What {@link useChannel} returns. */
export interface UseChannelResult<TMessage> {
  /** History first, then live messages, oldest first; at most `max`; each message once, reconnects included. */
  readonly messages: readonly TMessage[];
  /** Where the channel's shared subscription stands. */
  readonly status: StoreStatus;
  /** Why the subscription failed (refused by the server, or could not be restored). */
  readonly error: MeshError | undefined;
  /**
   * After a reconnect, whether every missed message was delivered (`false` when history no longer held some);
   * `undefined` before the first reconnect.
   */
  readonly recovered: boolean | undefined;
}

const IDLE_CHANNEL: ChannelStoreSnapshot = Object.freeze({ status: "idle", recovery: undefined, error: undefined });

/**
 * The messages of a channel, live. Components on the same channel share one server subscription; each keeps its
 * own buffer, started afresh when `channel` (or an option) changes. On the server it renders no messages and
 * touches nothing.
 *
 * @example
 * const { messages, status } = useChannel<ChatMessage>("chat:lobby", { historyLimit: 50 });
 */
export function useChannel<TMessage = unknown>(
  channel: string,
  options: UseChannelOptions = {},
): UseChannelResult<TMessage> {
  const client = useMesh();
  const historyLimit = options.historyLimit ?? 0;
  const max = options.max ?? DEFAULT_CHANNEL_MAX;
  const store = useMemo(() => client.channelStore(channel), [client, channel]);
  const buffer = useMemo(
    () => new ChannelBuffer<TMessage>(client, channel, historyLimit, max),
    [client, channel, historyLimit, max],
  );
  const shared = useSharedStore(store, IDLE_CHANNEL);
  const own = useSyncExternalStore(buffer.subscribe, buffer.getSnapshot, emptyChannelBuffer);
  const error = shared.error ?? own.error;
  const recovered = shared.recovery?.recovered;
  return useMemo(
    () => ({ messages: own.messages, status: shared.status, error, recovered }),
    [own.messages, shared.status, error, recovered],
  );
}
