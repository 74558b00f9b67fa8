import type { LocalConnections } from "../connections/localConnections";
import { PreparedFrame } from "../transport/preparedFrame";

/** Sends a frame to each listed connection still on this instance, except the excluded ones. */
export function sendToMembers(
  local: LocalConnections,
  members: Iterable<string>,
  frame: PreparedFrame,
  excluded: ReadonlySet<string> | null = null,
): void {
  if (excluded === null) {
    for (const id of members) local.get(id)?.sendFrame(frame);
  } else {
    for (const id of members) if (!excluded.has(id)) local.get(id)?.sendFrame(frame);
  }
}

/** Sends a frame to every connection on this instance, except the excluded ones. */
export function sendToAllLocal(
  local: LocalConnections,
  frame: PreparedFrame,
  excluded: ReadonlySet<string> | null,
): void {
  for (const connection of local.values()) if (!excluded?.has(connection.id)) connection.sendFrame(frame);
}

/** Who a push that arrived on the bus is for: those in `to`, or everyone addressed but those in `x`. */
export interface PushRouting {
  readonly to?: readonly string[];
  readonly x?: readonly string[];
}

/**
 * Delivers a push another instance published to this instance's connections: to the ones it names, else to
 * `members` (a room's local members) or, when `members` is `null`, to every local connection; never to those it
 * excludes. The frame text is forwarded as it came, encoded once for every socket.
 */
export function deliverBusPush(
  local: LocalConnections,
  frameText: string,
  { to, x }: PushRouting,
  members: Iterable<string> | null,
): void {
  const frame = new PreparedFrame(Buffer.from(frameText));
  if (to) {
    sendToMembers(local, to, frame);
    return;
  }
  const excluded = x && x.length > 0 ? new Set(x) : null;
  if (members !== null) sendToMembers(local, members, frame, excluded);
  else sendToAllLocal(local, frame, excluded);
}
