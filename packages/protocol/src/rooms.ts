import { z } from "zod";

/**
 * A room name: any non-empty string. Unlike channel names and record ids, room names have never had a length or
 * character limit (rooms are named by server code, and every name accepted so far must stay accepted), so the
 * schema only rules out what never was a room: a non-string or the empty string.
 */
export const roomNameSchema = z.string().min(1);

/** Metadata the application attached to a connection or a room, as it travels: a JSON object. */
export const metadataSchema = z.record(z.string(), z.unknown());

/**
 * One member of a room as a joining client sees it. `metadata` is the member's connection metadata where the
 * server lets the client read it (always for the client itself), `null` otherwise or when none was set.
 */
export const roomMemberSchema = z.object({
  connectionId: z.string().min(1),
  metadata: metadataSchema.nullable(),
});

/** Built-in command `mesh/join-room`: its payload. */
export const joinRoomPayloadSchema = z.object({ roomName: roomNameSchema });

/**
 * Built-in command `mesh/join-room`: its result. Joined: `present` lists the room's members after the join, the
 * caller included. Refused (the room is not exposed, or its guard denied): `reason` says why.
 */
export const joinRoomResultSchema = z.discriminatedUnion("success", [
  z.object({ success: z.literal(true), present: z.array(roomMemberSchema) }),
  z.object({ success: z.literal(false), reason: z.string() }),
]);

/** Built-in command `mesh/leave-room`: its payload. */
export const leaveRoomPayloadSchema = z.object({ roomName: roomNameSchema });

/**
 * Built-in command `mesh/leave-room`: its result. `success` is true when the caller is no longer a member (also
 * when it was none); false, with a `reason`, for a room clients cannot join or leave (not exposed).
 */
export const leaveRoomResultSchema = z.object({ success: z.boolean(), reason: z.string().optional() });

/**
 * Built-in command `mesh/get-connection-metadata`: its payload. Without `connectionId` (or with the caller's
 * own), the caller's metadata; another connection's only where the server allows it, otherwise `FORBIDDEN`.
 * The payload may be left out altogether.
 */
export const getConnectionMetadataPayloadSchema = z.object({ connectionId: z.string().min(1).optional() }).optional();

/** Built-in command `mesh/get-room-metadata`: its payload. Rooms the caller may not join answer `FORBIDDEN`. */
export const getRoomMetadataPayloadSchema = z.object({ roomName: roomNameSchema });

/** Result of `mesh/get-connection-metadata` and `mesh/get-room-metadata`: `null` when none was set. */
export const metadataResultSchema = z.object({ metadata: metadataSchema.nullable() });

/** Names of the built-in room commands. */
export const ROOM_COMMANDS = {
  join: "mesh/join-room",
  leave: "mesh/leave-room",
  getConnectionMetadata: "mesh/get-connection-metadata",
  getRoomMetadata: "mesh/get-room-metadata",
} as const;

export type RoomName = z.infer<typeof roomNameSchema>;
export type Metadata = z.infer<typeof metadataSchema>;
export type RoomMember = z.infer<typeof roomMemberSchema>;
export type JoinRoomPayload = z.infer<typeof joinRoomPayloadSchema>;
export type JoinRoomResult = z.infer<typeof joinRoomResultSchema>;
export type LeaveRoomPayload = z.infer<typeof leaveRoomPayloadSchema>;
export type LeaveRoomResult = z.infer<typeof leaveRoomResultSchema>;
export type GetConnectionMetadataPayload = z.infer<typeof getConnectionMetadataPayloadSchema>;
export type GetRoomMetadataPayload = z.infer<typeof getRoomMetadataPayloadSchema>;
export type MetadataResult = z.infer<typeof metadataResultSchema>;
