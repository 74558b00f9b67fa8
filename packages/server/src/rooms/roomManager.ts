import type { MeshState, RoomMetadata } from "@meshwork/redis-state";

/** Room metadata, kept in the shared state so every instance reads and writes the same. */
export class RoomManager {
  constructor(private readonly state: MeshState) {}

  /** Replaces a room's metadata (a JSON-serialisable object). */
  setMetadata(room: string, metadata: RoomMetadata): Promise<void> {
    return this.state.rooms.setMetadata(room, metadata);
  }

  /** A room's metadata, or `null` when none was set. */
  getMetadata(room: string): Promise<RoomMetadata | null> {
    return this.state.rooms.getMetadata(room);
  }

  /** Merges top-level fields into a room's metadata atomically (concurrent updates never lose fields); returns the result. */
  updateMetadata(room: string, partial: RoomMetadata): Promise<RoomMetadata> {
    return this.state.rooms.updateMetadata(room, partial);
  }

  /** Every room's metadata: `{ [room]: metadata }`. */
  getAllMetadata(): Promise<Record<string, RoomMetadata>> {
    return this.state.rooms.getAllMetadata();
  }
}
