/** Where a channel's stored history stands; see `ChannelPosition` in `@meshwork/protocol`. */
export interface StoredPosition {
  readonly epoch: string;
  readonly offset: number;
}

/** A stored message: its offset and its JSON text. */
export interface StoredMessage {
  readonly offset: number;
  readonly json: string;
}

/** What a recovery read found: every message after the position, or `recovered: false`. */
export interface ChannelRecovery {
  readonly recovered: boolean;
  readonly missed: StoredMessage[];
}

/**
 * Decides a recovery from the messages stored after `since.offset` (ascending, as read): complete only in the
 * same epoch, when the first one follows `since` directly and all of them fit in `max`.
 */
export function recoveryFrom(
  since: StoredPosition,
  current: StoredPosition | null,
  after: StoredMessage[],
  max: number,
): ChannelRecovery {
  if (current === null || current.epoch !== since.epoch || current.offset < since.offset) {
    return { recovered: false, missed: [] };
  }
  if (current.offset === since.offset) return { recovered: true, missed: [] };
  if (current.offset - since.offset > max || after[0]?.offset !== since.offset + 1) {
    return { recovered: false, missed: [] };
  }
  return { recovered: true, missed: after.filter((message) => message.offset <= current.offset) };
}

/** A channel as one subscriber sees it at subscribe time: all read at the same moment. */
export interface ChannelSnapshot {
  /** The newest stored message's position, or `null` when nothing was ever stored. */
  readonly position: StoredPosition | null;
  /** The newest stored messages (JSON texts), newest first, ending at `position`. */
  readonly history: string[];
  /** With `since`: what was stored after it, or that it cannot all be replayed. */
  readonly recovery?: ChannelRecovery;
}

/** What `ChannelStore.snapshot` reads. */
export interface ChannelSnapshotOptions {
  /** How many of the newest stored messages to return (0: none). */
  readonly historyLimit: number;
  /** The position a subscriber already has: the messages stored after it are returned too. */
  readonly since?: StoredPosition;
  /** The most messages after `since` that may be replayed; more than that is a recovery that fails. */
  readonly max: number;
}
