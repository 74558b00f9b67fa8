/**
 * Metadata the application attaches to a connection. Stored as JSON, so it must be JSON-serialisable;
 * reads always return a copy.
 */
export type ConnectionMetadata = Record<string, unknown>;

/** One entry of {@link MeshState.getAllConnectionMetadata}: `{ [connectionId]: metadata }`. */
export type ConnectionMetadataEntry = Record<string, ConnectionMetadata | null>;

/**
 * Everything a server keeps outside its own process memory. Two implementations share this contract
 * (and one test suite): Redis, for a cluster of instances, and in memory, for a single process in
 * which several server instances may share one store.
 *
 * Routing data (which instance holds a connection) and application metadata are kept apart, so
 * writing metadata can never disturb delivery.
 */
export interface MeshState {
  /** `"memory"` or `"redis"`: for logs and diagnostics. */
  readonly kind: string;

  /** Records that `connectionId` is served by `instanceId`. */
  registerConnection(connectionId: string, instanceId: string): Promise<void>;

  /** Forgets a connection: its routing entry and its metadata. Unknown ids are ignored. */
  unregisterConnection(connectionId: string): Promise<void>;

  /** The instance serving a connection, or `null` when the connection is unknown. */
  instanceOf(connectionId: string): Promise<string | null>;

  /** Ids of every connection an instance serves. */
  connectionsOf(instanceId: string): Promise<string[]>;

  /** Replaces a connection's metadata. Fails for a connection that is not registered. */
  setConnectionMetadata(connectionId: string, metadata: ConnectionMetadata): Promise<void>;

  /** A connection's metadata, or `null` when none was set or the connection is unknown. */
  getConnectionMetadata(connectionId: string): Promise<ConnectionMetadata | null>;

  /** Every registered connection with its metadata (`null` where none was set). */
  getAllConnectionMetadata(): Promise<ConnectionMetadataEntry[]>;

  /** Releases what the store holds open (connections, timers). Idempotent. */
  close(): Promise<void>;
}
