/**
 * Where an event stands in its room's presence history. Positions only grow: `seq` counts the room's events, and a
 * new `epoch` (a larger one) starts when the room's counter was dropped after a long silence (docs/presence.md).
 */
export interface PresencePosition {
  readonly epoch: number;
  readonly seq: number;
}

/**
 * A change of a room's presence that every watcher must see, announced exactly once, in the same atomic step that
 * made it. `join`: a member's first connection arrived (`metadata` is what it joined with, `null` for none); `leave`:
 * its last connection went (its state goes with it); `state`: its state was set, or cleared or expired (`state: null`).
 * `connectionIds` lists the connections whose arrival or departure made a member join or leave.
 */
export interface PresenceEvent extends PresencePosition {
  readonly type: "join" | "leave" | "state";
  readonly room: string;
  readonly memberId: string;
  readonly connectionIds?: readonly string[];
  readonly metadata?: unknown;
  readonly state?: unknown;
}

/** A present member: one connection, or a group of connections (one user's tabs) that is present while any is. */
export interface PresenceMember {
  readonly memberId: string;
  readonly connectionIds: readonly string[];
  /** The metadata given when the member joined (`null` for none). */
  readonly metadata: unknown;
}

/** A room's presence read atomically: the position of its newest event, its members and their states. */
export interface PresenceSnapshot extends PresencePosition {
  /** Sorted by member id, each member's connection ids sorted too. */
  readonly members: readonly PresenceMember[];
  /** Member id → state, for members that have one. */
  readonly states: Readonly<Record<string, unknown>>;
}

/** What {@link PresenceStore.join} adds. */
export interface PresenceJoin {
  /** The member this connection counts towards: the connection id itself, or a group value such as a user id. */
  readonly memberId: string;
  readonly connectionId: string;
  /** Carried by the join event and the member's entry; kept from the member's first connection. */
  readonly metadata?: unknown;
  /** Milliseconds the connection stays present unless refreshed. */
  readonly ttlMs: number;
  /** The instance making the change, carried by the event as its origin. */
  readonly origin: string;
}

/** What {@link PresenceStore.publishState} sets. */
export interface PresenceStateUpdate {
  readonly memberId: string;
  /** Any JSON value; `null` or `undefined` clears the state, as {@link PresenceStore.clearState} does. */
  readonly state: unknown;
  /** Milliseconds after which the state expires into one `state: null` event (at the next sweep). */
  readonly expireAfterMs?: number;
  readonly origin: string;
}

/** A connection in a room's presence, as {@link PresenceStore.refresh} takes and reports them. */
export interface PresenceEntry {
  readonly room: string;
  readonly connectionId: string;
}

/**
 * Rooms' presence: members with their connections, metadata and states, kept exact across instances. Every method
 * that changes what watchers see runs as one atomic step that also publishes the one event it causes on the room's
 * presence topic (`{ kind: "presence", room }`), so each event is announced exactly once, and a room's events are
 * published in position order. A watcher subscribes to the topic first, then reads {@link snapshot}, and drops every
 * event not after the snapshot's position ({@link isAfterPosition}). Connections stay present for a TTL that their instance
 * refreshes; any instance sweeps what expired (a crashed instance's connections, expired states). Times are on one
 * clock for the whole cluster: Redis's (the process's for the memory store).
 */
export interface PresenceStore {
  /**
   * Adds a connection to a room's presence. Returns the join event when this is the member's first connection;
   * `null` when the member was already present (the connection is added to it) or the connection already joined
   * (its TTL is renewed). Fails with `INVALID_PAYLOAD` if the connection is present as another member.
   */
  join(room: string, join: PresenceJoin): Promise<PresenceEvent | null>;

  /** Removes a connection; returns the leave event when it was its member's last, else `null`. */
  leave(room: string, connectionId: string, origin: string): Promise<PresenceEvent | null>;

  /**
   * Renews the TTL of present connections (one round trip per room, all rooms sent together). Returns the entries
   * that were no longer present (expired and swept meanwhile): their instance joins them again, and watchers, which
   * saw them leave, see them join.
   */
  refresh(entries: readonly PresenceEntry[], ttlMs: number): Promise<PresenceEntry[]>;

  /** Sets a present member's state; returns its state event, or `null` when the member is not present. */
  publishState(room: string, update: PresenceStateUpdate): Promise<PresenceEvent | null>;

  /** Clears a member's state; returns the `state: null` event, or `null` when it had none. */
  clearState(room: string, memberId: string, origin: string): Promise<PresenceEvent | null>;

  /**
   * Removes the connections whose TTL passed and the states that expired, announcing each resulting leave and
   * `state: null` once, however many instances sweep at the same time. `nowMs` (on the store's clock) sweeps as if
   * it were that time: for tests, never ahead of the real clock in production.
   */
  sweepExpired(room: string, origin: string, nowMs?: number): Promise<PresenceEvent[]>;

  /** The room's position, members and states, read atomically. */
  snapshot(room: string): Promise<PresenceSnapshot>;

  /** The rooms that have presence entries (the ones to sweep); a room may stay listed a little after it empties. */
  roomsWithPresence(): Promise<string[]>;
}

/** Tells whether `event` comes after `position`: a watcher applies such events and drops the others. */
export function isAfterPosition(event: PresencePosition, position: PresencePosition): boolean {
  return event.epoch > position.epoch || (event.epoch === position.epoch && event.seq > position.seq);
}

/**
 * Milliseconds a room's position is kept after its last event. Its epoch is the time it was created, so a position
 * dropped after this long and created again starts a larger epoch, unless the clock stepped back by more than this.
 */
export const PRESENCE_POSITION_TTL_MS = 3_600_000;
