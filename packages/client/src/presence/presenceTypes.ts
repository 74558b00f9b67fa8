import type { MeshError } from "@meshwork/protocol";
import type { ExternalStore, StoreStatus } from "../storeTypes";

/**
 * A presence event, in the original Mesh's shape: a member joined, left, or changed its state (`state: null` when
 * cleared or expired). `connectionId` is the member's id: its connection, or in a room the server tracks with
 * `groupBy` the group value (one user's tabs are one member); `connectionIds` lists its connections when known.
 * `metadata` comes with a join, and is `null` or absent where the server does not let this client read it.
 */
export interface PresenceEventInfo {
  readonly type: "join" | "leave" | "state";
  readonly roomName: string;
  readonly connectionId: string;
  readonly connectionIds?: string[];
  readonly metadata?: Record<string, unknown> | null;
  readonly state?: unknown;
}

/** Receives a room's presence events, each once, in order; never a `leave` without its `join`. */
export type PresenceCallback = (event: PresenceEventInfo) => void;

/** A present member, as `subscribePresence()` and presence stores list it. */
export interface PresenceMemberInfo {
  /** The member's id (see {@link PresenceEventInfo}). */
  readonly connectionId: string;
  /** The member's connections: one, or with `groupBy` each of its connections. */
  readonly connectionIds: string[];
  /** The metadata it joined with where the server lets this client read it, else `null`. */
  readonly metadata: Record<string, unknown> | null;
}

/**
 * What `subscribePresence()` resolves with: the room's members and their states (member id → state), from which
 * the callback's events follow. A refusal (the room is not tracked, or the server's guard denied) resolves
 * `{ success: false, present: [], states: {}, reason }`.
 */
export interface SubscribePresenceResult {
  readonly success: boolean;
  readonly present: PresenceMemberInfo[];
  readonly states: Record<string, unknown>;
  readonly reason?: string;
}

/** Options of `publishPresenceState()`. */
export interface PublishPresenceStateOptions {
  /** Any JSON value; `null` clears the state. */
  readonly state: unknown;
  /** Milliseconds until the state expires on its own (one `state: null` event); never when absent. */
  readonly expireAfter?: number;
}

/** What `publishPresenceState()` and `clearPresenceState()` resolve with; a refusal carries a `reason`. */
export interface PresenceStateResult {
  readonly success: boolean;
  readonly reason?: string;
}

/**
 * What a presence store shows: the room's members and states, kept up to date from the snapshot and every event;
 * a new object only when one of them changed.
 */
export interface PresenceStoreSnapshot {
  readonly members: readonly PresenceMemberInfo[];
  /** Member id → state, for members that have one. */
  readonly states: Readonly<Record<string, unknown>>;
  readonly status: StoreStatus;
  /** Why the subscription ended in `error` (refused, or not restorable after a reconnect). */
  readonly error: MeshError | undefined;
}

/** A room's shared presence subscription, as `client.presenceStore(room)` gives it. */
export interface PresenceStore extends ExternalStore<PresenceStoreSnapshot> {
  readonly roomName: string;
}
