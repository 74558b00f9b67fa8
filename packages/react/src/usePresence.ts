import type { PresenceStateResult, PresenceStoreSnapshot } from "@meshwork/client";
import { useCallback, useMemo } from "react";
import { useMesh } from "./useMesh";
import { useSharedStore } from "./useSharedStore";

/** Options of {@link UsePresenceResult.setState}. */
export interface SetPresenceStateOptions {
  /** Milliseconds until the state clears on its own; never when absent. */
  readonly expireAfter?: number;
}

/**
 * What {@link usePresence} returns: the room's presence store snapshot (`members`, this client included once it
 * joined, e.g. with {@link useRoom}; `states` by member id; `status`, `idle` on the server and before the first
 * render's effect; `error` when the room is not tracked or the guard denied it), and `setState`.
 */
export interface UsePresenceResult extends PresenceStoreSnapshot {
  /**
   * Sets this client's state in the room (`null` clears it); the client must be present there (joined, e.g. with
   * {@link useRoom}). Resolves `{ success }`, or `{ success: false, reason }`. A stable function per client and room.
   */
  readonly setState: (state: unknown, options?: SetPresenceStateOptions) => Promise<PresenceStateResult>;
}

/** What the server renders, and what hydration starts from: nobody known yet. */
const SERVER_SNAPSHOT: PresenceStoreSnapshot = { members: [], states: {}, status: "idle", error: undefined };

/**
 * Who is in a room and what they are doing, live. Components watching the same room share one presence
 * subscription, started by the first and released when the last unmounts. Watching does not join the room: use
 * {@link useRoom} for that (the server decides who may watch with `trackPresence`).
 */
export function usePresence(room: string): UsePresenceResult {
  const client = useMesh();
  const store = useMemo(() => client.presenceStore(room), [client, room]);
  const snapshot = useSharedStore(store, SERVER_SNAPSHOT);
  const setState = useCallback(
    (state: unknown, options?: SetPresenceStateOptions) =>
      client.publishPresenceState(room, { state, expireAfter: options?.expireAfter }),
    [client, room],
  );
  return useMemo(
    () => ({
      members: snapshot.members,
      states: snapshot.states,
      status: snapshot.status,
      error: snapshot.error,
      setState,
    }),
    [snapshot, setState],
  );
}
