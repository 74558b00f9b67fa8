/** A room's metadata: a JSON object whose top-level fields merge on update. */
export type RoomMetadata = Record<string, unknown>;

/**
 * Room membership, kept in both directions (a room's members, a connection's rooms) and always changed in both
 * together, and each room's metadata. Only registered connections can join a room.
 */
export interface RoomStore {
  /** Adds a registered connection to a room. Returns false when it was already a member; `NOT_FOUND` when unregistered. */
  addMember(room: string, connectionId: string): Promise<boolean>;

  /** Removes a connection from a room. Returns false when it was not a member. */
  removeMember(room: string, connectionId: string): Promise<boolean>;

  /** Removes a connection from every room it is in; returns those rooms. */
  removeFromAll(connectionId: string): Promise<string[]>;

  /** Tells whether a connection is in a room. */
  isMember(room: string, connectionId: string): Promise<boolean>;

  /** Ids of every connection in a room. */
  members(room: string): Promise<string[]>;

  /** Empties a room and deletes its metadata, atomically. Returns the members it had. */
  clear(room: string): Promise<string[]>;

  /** Replaces a room's metadata. */
  setMetadata(room: string, metadata: RoomMetadata): Promise<void>;

  /** A room's metadata, or `null` when none was set. */
  getMetadata(room: string): Promise<RoomMetadata | null>;

  /** Merges top-level fields into a room's metadata atomically; returns the result. */
  updateMetadata(room: string, partial: RoomMetadata): Promise<RoomMetadata>;

  /** Every room's metadata: `{ [room]: metadata }`. No key scans. */
  getAllMetadata(): Promise<Record<string, RoomMetadata>>;
}
