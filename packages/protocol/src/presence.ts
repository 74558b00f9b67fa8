import { z } from "zod";
import { metadataSchema, roomNameSchema } from "./rooms";

/** The longest a presence state may be set to live before it expires on its own: one day, in milliseconds. */
export const MAX_PRESENCE_STATE_EXPIRY_MS = 86_400_000;

/**
 * Where a presence event stands in its room's history: positions only grow (a larger `epoch`, or the same epoch and
 * a larger `seq`). A watcher drops every event that is not after the position of the snapshot it started from, so
 * it sees each event once and never a leave without its join (docs/presence.md).
 */
export const presencePositionSchema = z.object({
  epoch: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
});

/**
 * A present member as a watcher sees it. `connectionId` is the member's id: its connection, or, in a room tracked
 * with `groupBy`, the group value (one user's several connections are one member); `connectionIds` lists its
 * connections. `metadata` is the metadata it joined with where the server lets the watcher read it, else `null`.
 */
export const presenceMemberSchema = z.object({
  connectionId: z.string().min(1),
  connectionIds: z.array(z.string().min(1)),
  metadata: metadataSchema.nullable(),
});

/** Built-in command `mesh/subscribe-presence`: its payload. */
export const subscribePresencePayloadSchema = z.object({ roomName: roomNameSchema });

/**
 * Built-in command `mesh/subscribe-presence`: its result. Subscribed: the room's members and their states (member
 * id → state) at `position`; events after it follow as `presence` messages. Refused (the room is not tracked, or
 * the guard denied): `reason` says why.
 */
export const subscribePresenceResultSchema = z.discriminatedUnion("success", [
  z.object({
    success: z.literal(true),
    present: z.array(presenceMemberSchema),
    states: z.record(z.string(), z.unknown()),
    position: presencePositionSchema,
  }),
  z.object({ success: z.literal(false), reason: z.string() }),
]);

/** Built-in command `mesh/unsubscribe-presence`: its payload; the result is whether the caller was subscribed. */
export const unsubscribePresencePayloadSchema = z.object({ roomName: roomNameSchema });

/**
 * Built-in command `mesh/publish-presence-state`: its payload. Sets the caller's member's state in a room it is
 * present in; `expireAfter` (milliseconds) turns it into one `state: null` event when it runs out.
 */
export const publishPresenceStatePayloadSchema = z.object({
  roomName: roomNameSchema,
  state: z.unknown(),
  expireAfter: z.number().int().positive().max(MAX_PRESENCE_STATE_EXPIRY_MS).optional(),
});

/** Built-in command `mesh/clear-presence-state`: its payload. */
export const clearPresenceStatePayloadSchema = z.object({ roomName: roomNameSchema });

/** Result of `mesh/publish-presence-state` and `mesh/clear-presence-state`; refused: `reason` says why. */
export const presenceStateResultSchema = z.object({ success: z.boolean(), reason: z.string().optional() });

/**
 * A presence event, in the original Mesh's shape: a member joined, left, or changed its state (`state: null` when
 * cleared or expired). `connectionId` is the member's id (see {@link presenceMemberSchema}).
 */
export const presenceEventSchema = z.object({
  type: z.enum(["join", "leave", "state"]),
  roomName: roomNameSchema,
  connectionId: z.string().min(1),
  connectionIds: z.array(z.string().min(1)).optional(),
  metadata: metadataSchema.nullable().optional(),
  state: z.unknown().optional(),
});

/** Names of the built-in presence commands. */
export const PRESENCE_COMMANDS = {
  subscribe: "mesh/subscribe-presence",
  unsubscribe: "mesh/unsubscribe-presence",
  publishState: "mesh/publish-presence-state",
  clearState: "mesh/clear-presence-state",
} as const;

export type PresencePosition = z.infer<typeof presencePositionSchema>;
export type PresenceMember = z.infer<typeof presenceMemberSchema>;
export type SubscribePresencePayload = z.infer<typeof subscribePresencePayloadSchema>;
export type SubscribePresenceResult = z.infer<typeof subscribePresenceResultSchema>;
export type UnsubscribePresencePayload = z.infer<typeof unsubscribePresencePayloadSchema>;
export type PublishPresenceStatePayload = z.infer<typeof publishPresenceStatePayloadSchema>;
export type ClearPresenceStatePayload = z.infer<typeof clearPresenceStatePayloadSchema>;
export type PresenceStateResult = z.infer<typeof presenceStateResultSchema>;
export type PresenceEvent = z.infer<typeof presenceEventSchema>;
