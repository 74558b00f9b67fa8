import {
  type Metadata,
  ROOM_COMMANDS,
  getConnectionMetadataPayloadSchema,
  getRoomMetadataPayloadSchema,
  metadataResultSchema,
} from "@meshwork/protocol";
import { invalidPayload, unreadable } from "../subscriptions/subscriptionErrors";

/** Sends a command the way `command()` does. */
export type Request = (command: string, payload: unknown) => Promise<unknown>;

async function readMetadata(request: Request, command: string, payload: unknown): Promise<Metadata | null> {
  const parsed = metadataResultSchema.safeParse(await request(command, payload));
  if (!parsed.success) throw unreadable(command, parsed.error.issues);
  return parsed.data.metadata;
}

/**
 * A connection's metadata: this client's own without `connectionId`; another connection's only where the server
 * allows it (otherwise the server answers `FORBIDDEN`, and the promise rejects with it).
 */
export function readConnectionMetadata(request: Request, connectionId: string | undefined): Promise<Metadata | null> {
  const parsed = getConnectionMetadataPayloadSchema.safeParse(connectionId === undefined ? {} : { connectionId });
  if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
  return readMetadata(request, ROOM_COMMANDS.getConnectionMetadata, parsed.data);
}

/** A room's metadata, for rooms this client may join; `FORBIDDEN` for the others. */
export function readRoomMetadata(request: Request, room: string): Promise<Metadata | null> {
  const parsed = getRoomMetadataPayloadSchema.safeParse({ roomName: room });
  if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
  return readMetadata(request, ROOM_COMMANDS.getRoomMetadata, parsed.data);
}
