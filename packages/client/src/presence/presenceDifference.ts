import type { PresenceEvent, PresenceMember } from "@meshwork/protocol";
import type { PresenceMemberInfo } from "./presenceTypes";

/** Whether two JSON values are equal: the same primitives, arrays and plain objects, key order aside. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  const bRecord = b as Record<string, unknown>;
  const aRecord = a as Record<string, unknown>;
  return aKeys.every((key) => Object.hasOwn(bRecord, key) && sameValue(aRecord[key], bRecord[key]));
}

/** What a presence store knew of a room before a reconnect. */
export interface KnownPresence {
  readonly members: ReadonlyMap<string, PresenceMemberInfo>;
  readonly states: ReadonlyMap<string, unknown>;
}

/**
 * The events that take a watcher from what it knew of a room to a new snapshot of it, as if it had seen them
 * happen: a `leave` for each member gone (its state goes with it), then for each member of the snapshot a `join`
 * (and a `state` when it has one) if it is new, or a `state` if its state changed (`null` when cleared).
 */
export function presenceDifference(
  roomName: string,
  known: KnownPresence,
  present: readonly PresenceMember[],
  states: Readonly<Record<string, unknown>>,
): PresenceEvent[] {
  const events: PresenceEvent[] = [];
  const now = new Set(present.map((member) => member.connectionId));
  for (const member of known.members.values()) {
    if (now.has(member.connectionId)) continue;
    events.push({
      type: "leave",
      roomName,
      connectionId: member.connectionId,
      connectionIds: member.connectionIds,
    });
  }
  for (const member of present) {
    const id = member.connectionId;
    const state = states[id] ?? null;
    if (!known.members.has(id)) {
      const { connectionIds, metadata } = member;
      events.push({ type: "join", roomName, connectionId: id, connectionIds, metadata });
      if (state !== null) events.push({ type: "state", roomName, connectionId: id, state });
    } else if (!sameValue(known.states.get(id) ?? null, state)) {
      events.push({ type: "state", roomName, connectionId: id, state });
    }
  }
  return events;
}
