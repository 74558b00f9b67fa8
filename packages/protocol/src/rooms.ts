import { z } from "zod";

/**
 * A room name: any non-empty string. Unlike channel names and record ids, room names have never had a length or
 * character limit (rooms are named by server code, and every name accepted so far must stay accepted), so the
 * schema only rules out what never was a room: a non-string or the empty string.
 */
export const roomNameSchema = z.string().min(1);

export type RoomName = z.infer<typeof roomNameSchema>;
