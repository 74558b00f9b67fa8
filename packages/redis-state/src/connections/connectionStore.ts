/**
 * Metadata the application attaches to a connection or a room. Stored as JSON, so it must be
 * JSON-serialisable; reads always return a copy.
 */
export type ConnectionMetadata = Record<string, unknown>;

/** One entry of {@link ConnectionStore.getAllMetadata}: `{ [connectionId]: metadata }`. */
export type ConnectionMetadataEntry = Record<string, ConnectionMetadata | null>;

/**
 * The connection registry: which instance serves each connection (routing), and the metadata the application
 * attaches to it. Routing and metadata are kept apart, so writing metadata can never disturb delivery.
 */
export interface ConnectionStore {
  /** Records that `connectionId` is served by `instanceId` (moving it there if another instance had it). */
  register(connectionId: string, instanceId: string): Promise<void>;

  /**
   * Forgets a connection atomically: its routing entry, its metadata and its room memberships.
   * Returns the rooms it was in. Unknown ids are ignored.
   */
  unregister(connectionId: string): Promise<string[]>;

  /** The instance serving a connection, or `null` when the connection is unknown. */
  instanceOf(connectionId: string): Promise<string | null>;

  /** The instance serving each of several connections; unknown ids are left out. One round trip. */
  instancesOf(connectionIds: readonly string[]): Promise<Map<string, string>>;

  /** Ids of every connection an instance serves. */
  connectionsOf(instanceId: string): Promise<string[]>;

  /** Replaces a connection's metadata. Fails with `NOT_FOUND` for a connection that is not registered. */
  setMetadata(connectionId: string, metadata: ConnectionMetadata): Promise<void>;

  /** A connection's metadata, or `null` when none was set or the connection is unknown. */
  getMetadata(connectionId: string): Promise<ConnectionMetadata | null>;

  /** Every registered connection with its metadata (`null` where none was set). */
  getAllMetadata(): Promise<ConnectionMetadataEntry[]>;

  /** Every member of a room with its metadata (`null` where none was set). */
  getMetadataForRoom(room: string): Promise<ConnectionMetadataEntry[]>;
}
