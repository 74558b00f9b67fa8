import type { MeshBus } from "./bus";
import type { ChannelRecovery, ChannelSnapshot, StoredPosition } from "./channelHistory";
import type { RecordCommit, RecordWrite, StoredRecord } from "./recordStore";

/**
 * Metadata the application attaches to a connection or a room. Stored as JSON, so it must be
 * JSON-serialisable; reads always return a copy.
 */
export type ConnectionMetadata = Record<string, unknown>;

/** A room's metadata: a JSON object whose top-level fields merge on update. */
export type RoomMetadata = Record<string, unknown>;

/** One entry of {@link MeshState.getAllConnectionMetadata}: `{ [connectionId]: metadata }`. */
export type ConnectionMetadataEntry = Record<string, ConnectionMetadata | null>;

/** A connection removed together with its instance, and the rooms it was in. */
export interface ReapedConnection {
  readonly connectionId: string;
  readonly rooms: string[];
}

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

  /** Resolves once the store can serve requests (connected, scripts loaded). */
  ready(): Promise<void>;

  /**
   * An endpoint on the cross-instance bus for one server instance. Each instance takes its own: its
   * subscriptions are its own.
   */
  createBus(): MeshBus;

  // Connections

  /** Records that `connectionId` is served by `instanceId`. */
  registerConnection(connectionId: string, instanceId: string): Promise<void>;

  /**
   * Forgets a connection atomically: its routing entry, its metadata and its room memberships.
   * Returns the rooms it was in. Unknown ids are ignored.
   */
  unregisterConnection(connectionId: string): Promise<string[]>;

  /** The instance serving a connection, or `null` when the connection is unknown. */
  instanceOf(connectionId: string): Promise<string | null>;

  /** The instance serving each of several connections; unknown ids are left out. One round trip. */
  instancesOf(connectionIds: readonly string[]): Promise<Map<string, string>>;

  /** Ids of every connection an instance serves. */
  connectionsOf(instanceId: string): Promise<string[]>;

  /** Replaces a connection's metadata. Fails with `NOT_FOUND` for a connection that is not registered. */
  setConnectionMetadata(connectionId: string, metadata: ConnectionMetadata): Promise<void>;

  /** A connection's metadata, or `null` when none was set or the connection is unknown. */
  getConnectionMetadata(connectionId: string): Promise<ConnectionMetadata | null>;

  /** Every registered connection with its metadata (`null` where none was set). */
  getAllConnectionMetadata(): Promise<ConnectionMetadataEntry[]>;

  /** Every member of a room with its metadata (`null` where none was set). */
  getConnectionMetadataForRoom(room: string): Promise<ConnectionMetadataEntry[]>;

  // Rooms

  /** Adds a registered connection to a room. Returns false when it was already a member. */
  addToRoom(room: string, connectionId: string): Promise<boolean>;

  /** Removes a connection from a room. Returns false when it was not a member. */
  removeFromRoom(room: string, connectionId: string): Promise<boolean>;

  /** Removes a connection from every room it is in; returns those rooms. */
  removeFromAllRooms(connectionId: string): Promise<string[]>;

  /** Tells whether a connection is in a room. */
  isInRoom(room: string, connectionId: string): Promise<boolean>;

  /** Ids of every connection in a room. */
  getRoomMembers(room: string): Promise<string[]>;

  /** Rooms a connection is in. */
  roomsOf(connectionId: string): Promise<string[]>;

  /** Empties a room and deletes its metadata, atomically. Returns the members it had. */
  clearRoom(room: string): Promise<string[]>;

  /** Replaces a room's metadata. */
  setRoomMetadata(room: string, metadata: RoomMetadata): Promise<void>;

  /** A room's metadata, or `null` when none was set. */
  getRoomMetadata(room: string): Promise<RoomMetadata | null>;

  /** Merges top-level fields into a room's metadata atomically; returns the result. */
  updateRoomMetadata(room: string, partial: RoomMetadata): Promise<RoomMetadata>;

  /** Every room's metadata: `{ [room]: metadata }`. No key scans. */
  getAllRoomMetadata(): Promise<Record<string, RoomMetadata>>;

  // Channels

  /**
   * Publishes a message (its JSON text) on a channel's bus topic, tagged with `origin`. With `history > 0` it is
   * first stored, and the channel's history trimmed to exactly `history` messages, in the same atomic step; the
   * stored message's position is returned and travels with it. One round trip either way.
   */
  publishToChannel(channel: string, json: string, history: number, origin: string): Promise<StoredPosition | null>;

  /** The newest `limit` stored messages of a channel (JSON texts), newest first. */
  channelHistory(channel: string, limit: number): Promise<string[]>;

  /** Where a channel's stored history stands, or `null` when nothing was ever stored. */
  channelPosition(channel: string): Promise<StoredPosition | null>;

  /**
   * The stored messages published after `since`, oldest first, if the history still holds every one of them
   * (same epoch, none trimmed, at most `max`); otherwise `recovered: false` and none.
   */
  channelSince(channel: string, since: StoredPosition, max: number): Promise<ChannelRecovery>;

  // Records

  /** A record's value JSON and version, read together. */
  getRecord(recordId: string): Promise<StoredRecord>;

  /**
   * Writes a record's value if its version is still `write.expectedVersion` (and the other conditions of `write`
   * hold), and publishes the change on the record's topic in the same atomic step: `write.changeHead` followed by
   * the value JSON. Writes sent one after another are applied in the order they were sent.
   */
  commitRecord(write: RecordWrite): Promise<RecordCommit>;

  /** Deletes a record and publishes the deletion; returns the version it had (0: it did not exist). */
  deleteRecord(recordId: string, origin: string): Promise<number>;

  /**
   * A channel's position, its newest `historyLimit` messages and, with `since`, the messages after it (at most
   * `max`), read atomically: the history ends exactly at the position, so a subscriber can tell what is history
   * from what arrives live.
   */
  channelSnapshot(
    channel: string,
    options: { historyLimit: number; since?: StoredPosition; max: number },
  ): Promise<ChannelSnapshot>;

  // Instances

  /**
   * Marks an instance alive for `ttlMs`. Returns false when the instance was not alive before this
   * beat (its first beat, or it expired and may have been reaped): the caller then registers its
   * connections and memberships again.
   */
  heartbeat(instanceId: string, ttlMs: number): Promise<boolean>;

  /** Instances that have heartbeated and have not been reaped; some may have expired. */
  listInstances(): Promise<string[]>;

  /** Tells whether an instance's heartbeat is current. */
  isInstanceAlive(instanceId: string): Promise<boolean>;

  /**
   * Removes an expired instance's connections, memberships and metadata, atomically and at most once:
   * returns what was removed, or `null` when the instance is alive again or another survivor holds the
   * reap lock. `force` removes a live instance's state too (used by the instance itself on close).
   */
  reapInstance(instanceId: string, options?: { force?: boolean; lockTtlMs?: number }): Promise<ReapedConnection[] | null>;

  /** Releases what the store holds open (connections, timers). Idempotent. */
  close(): Promise<void>;
}
