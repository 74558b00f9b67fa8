import { MeshError } from "@meshwork/protocol";
import { MemoryHub } from "../bus/memoryBus";
import type { StoredMessage } from "../channels/channelRecovery";
import { createKeys, type MeshKeys } from "../keys";
import { MemoryPresenceRoom } from "../presence/memoryPresenceRoom";
import { PRESENCE_POSITION_TTL_MS, type PresencePosition } from "../presence/presenceStore";

/** Adds `value` to the set under `key`, creating it; tells whether it was new. */
export function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  const before = set.size;
  set.add(value);
  return set.size > before;
}

/** Removes `value` from the set under `key`, dropping the set once empty; tells whether it was there. */
export function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (!set?.delete(value)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}

/** A record as the memory store holds it. */
export interface MemoryRecord {
  readonly json: string;
  readonly version: number;
  readonly incarnation: string;
  readonly writer: string;
}

/** A channel's stored history as the memory store holds it. */
export interface MemoryChannel {
  /** Changes only when a subscriber saw the history go back (`startNewEpoch`). */
  epoch: string;
  offset: number;
  readonly stored: StoredMessage[];
}

/**
 * Everything the memory stores of one `MemoryState` hold, in one place, with the operations that cross concerns
 * (forgetting a connection removes its memberships too). Each such operation runs to completion without awaiting, so
 * it is as atomic as its Lua twin. Values are stored as JSON text, so reads return copies exactly as Redis would.
 */
export class MemoryData {
  readonly keys: MeshKeys;
  readonly hub: MemoryHub;
  readonly instanceByConnection = new Map<string, string>();
  readonly connectionsByInstance = new Map<string, Set<string>>();
  readonly metadataByConnection = new Map<string, string>();
  readonly roomsByConnection = new Map<string, Set<string>>();
  readonly membersByRoom = new Map<string, Set<string>>();
  readonly metadataByRoom = new Map<string, Map<string, string>>();
  readonly records = new Map<string, MemoryRecord>();
  readonly channels = new Map<string, MemoryChannel>();
  readonly aliveUntil = new Map<string, number>();
  readonly reapLocks = new Map<string, number>();
  /** The store's generation id, set by the first heartbeat (see `InstanceStore.generation`). */
  generation: string | undefined;
  /** Rooms with presence entries; a room is dropped with its last connection. */
  readonly presence = new Map<string, MemoryPresenceRoom>();
  /** Each room's newest presence position and when it was last used, kept as long as Redis keeps it. */
  readonly presencePositions = new Map<string, PresencePosition & { readonly usedAt: number }>();
  private lastPresenceEpoch = 0;
  private positionsPurgedAt = 0;

  constructor(keyPrefix: string) {
    this.keys = createKeys(keyPrefix);
    this.hub = new MemoryHub(this.keys);
  }

  /** Fails with `NOT_FOUND` unless the connection is registered. */
  requireConnection(connectionId: string): void {
    if (!this.instanceByConnection.has(connectionId)) {
      throw new MeshError("NOT_FOUND", `Connection ${connectionId} is not registered`);
    }
  }

  /** Removes a connection from every room, both directions; returns the rooms. */
  leaveAllRooms(connectionId: string): string[] {
    const rooms = [...(this.roomsByConnection.get(connectionId) ?? [])];
    for (const room of rooms) removeFrom(this.membersByRoom, room, connectionId);
    this.roomsByConnection.delete(connectionId);
    return rooms;
  }

  /** Forgets a connection: routing, metadata, its instance's set and its rooms. Returns the rooms it was in. */
  forgetConnection(connectionId: string): string[] {
    const instanceId = this.instanceByConnection.get(connectionId);
    if (instanceId === undefined) return [];
    this.instanceByConnection.delete(connectionId);
    this.metadataByConnection.delete(connectionId);
    removeFrom(this.connectionsByInstance, instanceId, connectionId);
    return this.leaveAllRooms(connectionId);
  }

  /** A room's presence entries, created on first use. */
  presenceRoom(room: string): MemoryPresenceRoom {
    let entry = this.presence.get(room);
    if (!entry) {
      entry = new MemoryPresenceRoom();
      this.presence.set(room, entry);
    }
    return entry;
  }

  /**
   * The position of a room's next presence event. A position unused for `PRESENCE_POSITION_TTL_MS` is dropped, as
   * its Redis key expires; the next one starts an epoch that is the clock's time and larger than any given before.
   */
  nextPresencePosition(room: string, now: number): PresencePosition {
    this.purgePresencePositions(now);
    const current = this.presencePositions.get(room);
    let next: PresencePosition;
    if (current && now - current.usedAt <= PRESENCE_POSITION_TTL_MS) {
      next = { epoch: current.epoch, seq: current.seq + 1 };
    } else {
      this.lastPresenceEpoch = Math.max(Math.floor(now), this.lastPresenceEpoch + 1);
      next = { epoch: this.lastPresenceEpoch, seq: 1 };
    }
    this.presencePositions.set(room, { ...next, usedAt: now });
    return next;
  }

  /** Drops expired positions, at most once a minute, so rooms used once do not stay forever. */
  private purgePresencePositions(now: number): void {
    if (now - this.positionsPurgedAt < 60_000) return;
    this.positionsPurgedAt = now;
    for (const [room, position] of this.presencePositions) {
      if (now - position.usedAt > PRESENCE_POSITION_TTL_MS) this.presencePositions.delete(room);
    }
  }

  /** Drops everything held. */
  clear(): void {
    for (const map of [
      this.instanceByConnection,
      this.connectionsByInstance,
      this.metadataByConnection,
      this.roomsByConnection,
      this.membersByRoom,
      this.metadataByRoom,
      this.records,
      this.channels,
      this.aliveUntil,
      this.reapLocks,
      this.presence,
      this.presencePositions,
    ]) {
      map.clear();
    }
  }
}
