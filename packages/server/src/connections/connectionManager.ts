import type { ConnectionMetadata, ConnectionMetadataEntry, MeshState } from "@meshwork/redis-state";
import { type Connection, type ConnectionRef, connectionIdOf } from "./connection";
import type { LocalConnections } from "./localConnections";

/**
 * Connection metadata, kept in the shared state so every instance sees it, apart from routing data so
 * writing metadata never disturbs delivery. Also the way to find this instance's live connections.
 */
export class ConnectionManager {
  constructor(
    private readonly state: MeshState,
    private readonly local: LocalConnections,
  ) {}

  /**
   * Replaces a connection's metadata. It must be JSON-serialisable; reads return a copy.
   * @throws MeshError `NOT_FOUND` (as a rejection) when the connection is not registered.
   */
  setMetadata(connection: ConnectionRef, metadata: ConnectionMetadata): Promise<void> {
    return this.state.connections.setMetadata(connectionIdOf(connection), metadata);
  }

  /** A connection's metadata, or `null` when none was set or the connection is unknown. */
  getMetadata(connection: ConnectionRef): Promise<ConnectionMetadata | null> {
    return this.state.connections.getMetadata(connectionIdOf(connection));
  }

  /** Every registered connection with its metadata (`null` where none was set): `[{ [connectionId]: metadata }]`. */
  getAllMetadata(): Promise<ConnectionMetadataEntry[]> {
    return this.state.connections.getAllMetadata();
  }

  /** Every member of a room, on every instance, with its metadata (`null` where none was set). */
  getAllMetadataForRoom(room: string): Promise<ConnectionMetadataEntry[]> {
    return this.state.connections.getMetadataForRoom(room);
  }

  /** The connection with this id when its socket is on this instance. */
  getLocalConnection(id: string): Connection | undefined {
    return this.local.get(id);
  }

  /** Every connection whose socket is on this instance, including ones still registering or closing. */
  getLocalConnections(): Connection[] {
    return [...this.local.values()];
  }
}
