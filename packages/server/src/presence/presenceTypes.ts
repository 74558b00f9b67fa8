import type { PresenceMember } from "@meshwork/protocol";
import type { AccessGuard } from "../access/accessRules";

/** Options of `server.trackPresence`. */
export interface TrackPresenceOptions {
  /**
   * Milliseconds a member stays present without a heartbeat of its instance: the bound on how long a member of a
   * crashed instance stays present (plus one sweep interval). Must be longer than `heartbeatInterval`.
   * @default 3 × heartbeatInterval
   */
  ttl?: number;
  /**
   * Who may watch the room's presence (`mesh/subscribe-presence`): `(connection, room)`; anything but `true`
   * denies, and so does a throw, which is also reported through `error`. Without a guard every connection may.
   */
  guard?: AccessGuard;
  /**
   * A connection-metadata field whose value is the member id, so one user's several connections (tabs, devices)
   * are one member: it joins with the first connection and leaves with the last. A connection without a string or
   * number in that field is a member of its own.
   */
  groupBy?: string;
}

/** A room's presence as server code reads it (`server.getPresence`): every member with its metadata, unfiltered. */
export interface RoomPresence {
  /** In member-id order; `connectionId` is the member id (the group value with `groupBy`). */
  readonly members: PresenceMember[];
  /** Member id → state, for members that have one. */
  readonly states: Record<string, unknown>;
}
