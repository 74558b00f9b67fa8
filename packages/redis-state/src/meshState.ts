import type { MeshBus } from "./bus/bus";
import type { ChannelStore } from "./channels/channelStore";
import type { ConnectionStore } from "./connections/connectionStore";
import type { InstanceStore } from "./instances/instanceStore";
import type { PresenceStore } from "./presence/presenceStore";
import type { RecordStore } from "./records/recordStore";
import type { RoomStore } from "./rooms/roomStore";
import type { StateObserver } from "./stateObservers";

/** Whether the store answers, as {@link MeshState.probe} found it. */
export interface StateProbe {
  /** The store answered (always, for memory). */
  readonly reachable: boolean;
  /** Round trip of the check in milliseconds, when it answered. */
  readonly latencyMs?: number;
  /** Why it is unreachable, for people. */
  readonly error?: string;
}

/**
 * Everything a server keeps outside its own process memory, one store per concern. Two implementations share this
 * contract (and one test suite per store): Redis, for a cluster of instances, and in memory, for a single process in
 * which several server instances may share one store. The stores of one `MeshState` share one backend (one Redis
 * connection, or one in-process data holder), so operations that cross concerns stay atomic: unregistering a
 * connection also removes its room memberships, reaping an instance also removes its connections.
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

  /**
   * Checks that the store answers now (one PING on Redis; nothing to check in memory). Never rejects: an
   * unreachable store is reported in the result, after `timeoutMs` at the latest.
   */
  probe(timeoutMs: number): Promise<StateProbe>;

  /**
   * Tells `observer` about the store's connections: errors and reconnects (Redis). Returns the function that stops
   * it. Optional: a store without connections (memory) has nothing to tell.
   */
  observe?(observer: StateObserver): () => void;

  /** Releases what the store holds open (connections, timers, buses it created). Idempotent. */
  close(): Promise<void>;

  /** Which instance serves each connection, and connection metadata. */
  readonly connections: ConnectionStore;

  /** Room membership and room metadata. */
  readonly rooms: RoomStore;

  /** Channel publishing, history and recovery. */
  readonly channels: ChannelStore;

  /** Versioned records. */
  readonly records: RecordStore;

  /** Instance heartbeats, listing and reaping. */
  readonly instances: InstanceStore;

  /** Rooms' presence: members, states, expiry, each change announced once on the room's presence topic. */
  readonly presence: PresenceStore;
}
