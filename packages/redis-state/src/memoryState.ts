import { MeshError } from "@meshwork/protocol";
import type { MeshBus } from "./bus";
import { randomUUID } from "node:crypto";
import { type ChannelRecovery, type ChannelSnapshot, type StoredMessage, type StoredPosition, channelBusMessage, recoveryFrom } from "./channelHistory";
import { channelOf } from "./memoryBus";
import { type RecordCommit, type RecordWrite, type StoredRecord, recordBusMessage, recordChangeHead } from "./recordStore";
import { createKeys, type MeshKeys } from "./keys";
import { MemoryBus, MemoryHub } from "./memoryBus";
import type {
  ConnectionMetadata,
  ConnectionMetadataEntry,
  MeshState,
  ReapedConnection,
  RoomMetadata,
} from "./meshState";

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  const before = set.size;
  set.add(value);
  return set.size > before;
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (!set?.delete(value)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}

/**
 * A {@link MeshState} in process memory. Several server instances in one process that use the same
 * key prefix share one store through {@link MemoryState.shared}, the way instances share one Redis.
 * Values are stored as JSON text, so reads return copies exactly as Redis would.
 */
export class MemoryState implements MeshState {
  readonly kind = "memory";

  private static readonly sharedByPrefix = new Map<string, MemoryState>();

  /** The store every in-process server with this key prefix shares. */
  static shared(keyPrefix: string): MemoryState {
    let state = MemoryState.sharedByPrefix.get(keyPrefix);
    if (!state) {
      state = new MemoryState(keyPrefix);
      MemoryState.sharedByPrefix.set(keyPrefix, state);
    }
    return state;
  }

  private readonly hub: MemoryHub;
  private readonly keys: MeshKeys;
  private readonly records = new Map<string, { json: string; version: number; incarnation: string; writer: string }>();
  private readonly channels = new Map<string, { epoch: string; offset: number; stored: StoredMessage[] }>();
  private readonly instanceByConnection = new Map<string, string>();
  private readonly connectionsByInstance = new Map<string, Set<string>>();
  private readonly metadataByConnection = new Map<string, string>();
  private readonly roomsByConnection = new Map<string, Set<string>>();
  private readonly membersByRoom = new Map<string, Set<string>>();
  private readonly metadataByRoom = new Map<string, Map<string, string>>();
  private readonly aliveUntil = new Map<string, number>();
  private readonly reapLocks = new Map<string, number>();

  constructor(keyPrefix = "mesh:") {
    this.keys = createKeys(keyPrefix);
    this.hub = new MemoryHub(this.keys);
  }

  async ready(): Promise<void> {}

  createBus(): MeshBus {
    return new MemoryBus(this.hub);
  }

  async registerConnection(connectionId: string, instanceId: string): Promise<void> {
    const previous = this.instanceByConnection.get(connectionId);
    if (previous !== undefined) removeFrom(this.connectionsByInstance, previous, connectionId);
    this.instanceByConnection.set(connectionId, instanceId);
    addTo(this.connectionsByInstance, instanceId, connectionId);
  }

  async unregisterConnection(connectionId: string): Promise<string[]> {
    return this.forget(connectionId);
  }

  async instanceOf(connectionId: string): Promise<string | null> {
    return this.instanceByConnection.get(connectionId) ?? null;
  }

  async instancesOf(connectionIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const id of connectionIds) {
      const instanceId = this.instanceByConnection.get(id);
      if (instanceId !== undefined) found.set(id, instanceId);
    }
    return found;
  }

  async connectionsOf(instanceId: string): Promise<string[]> {
    return [...(this.connectionsByInstance.get(instanceId) ?? [])];
  }

  async setConnectionMetadata(connectionId: string, metadata: ConnectionMetadata): Promise<void> {
    this.requireConnection(connectionId);
    this.metadataByConnection.set(connectionId, JSON.stringify(metadata));
  }

  async getConnectionMetadata(connectionId: string): Promise<ConnectionMetadata | null> {
    return this.readConnectionMetadata(connectionId);
  }

  async getAllConnectionMetadata(): Promise<ConnectionMetadataEntry[]> {
    return [...this.instanceByConnection.keys()].map((id) => ({ [id]: this.readConnectionMetadata(id) }));
  }

  async getConnectionMetadataForRoom(room: string): Promise<ConnectionMetadataEntry[]> {
    return [...(this.membersByRoom.get(room) ?? [])].map((id) => ({ [id]: this.readConnectionMetadata(id) }));
  }

  async addToRoom(room: string, connectionId: string): Promise<boolean> {
    this.requireConnection(connectionId);
    addTo(this.roomsByConnection, connectionId, room);
    return addTo(this.membersByRoom, room, connectionId);
  }

  async removeFromRoom(room: string, connectionId: string): Promise<boolean> {
    removeFrom(this.roomsByConnection, connectionId, room);
    return removeFrom(this.membersByRoom, room, connectionId);
  }

  async removeFromAllRooms(connectionId: string): Promise<string[]> {
    return this.leaveAllRooms(connectionId);
  }

  async isInRoom(room: string, connectionId: string): Promise<boolean> {
    return this.membersByRoom.get(room)?.has(connectionId) ?? false;
  }

  async getRoomMembers(room: string): Promise<string[]> {
    return [...(this.membersByRoom.get(room) ?? [])];
  }

  async roomsOf(connectionId: string): Promise<string[]> {
    return [...(this.roomsByConnection.get(connectionId) ?? [])];
  }

  async clearRoom(room: string): Promise<string[]> {
    const members = [...(this.membersByRoom.get(room) ?? [])];
    for (const id of members) removeFrom(this.roomsByConnection, id, room);
    this.membersByRoom.delete(room);
    this.metadataByRoom.delete(room);
    return members;
  }

  async setRoomMetadata(room: string, metadata: RoomMetadata): Promise<void> {
    this.metadataByRoom.set(room, new Map(Object.entries(metadata).map(([k, v]) => [k, JSON.stringify(v)])));
  }

  async getRoomMetadata(room: string): Promise<RoomMetadata | null> {
    const fields = this.metadataByRoom.get(room);
    return fields ? Object.fromEntries([...fields].map(([k, v]) => [k, JSON.parse(v)])) : null;
  }

  async updateRoomMetadata(room: string, partial: RoomMetadata): Promise<RoomMetadata> {
    const fields = this.metadataByRoom.get(room) ?? new Map<string, string>();
    for (const [k, v] of Object.entries(partial)) fields.set(k, JSON.stringify(v));
    this.metadataByRoom.set(room, fields);
    return (await this.getRoomMetadata(room)) ?? {};
  }

  async getAllRoomMetadata(): Promise<Record<string, RoomMetadata>> {
    const all: Record<string, RoomMetadata> = {};
    for (const room of this.metadataByRoom.keys()) all[room] = (await this.getRoomMetadata(room)) ?? {};
    return all;
  }

  async publishToChannel(channel: string, json: string, history: number, origin: string): Promise<StoredPosition | null> {
    let position: StoredPosition | undefined;
    if (history > 0) {
      let entry = this.channels.get(channel);
      if (!entry) {
        entry = { epoch: randomUUID(), offset: 0, stored: [] };
        this.channels.set(channel, entry);
      }
      entry.offset += 1;
      entry.stored.push({ offset: entry.offset, json });
      if (entry.stored.length > history) entry.stored.splice(0, entry.stored.length - history);
      position = { epoch: entry.epoch, offset: entry.offset };
    }
    this.hub.publish(channelOf(this.keys, { kind: "channel", channel }), channelBusMessage(origin, json, position));
    return position ?? null;
  }

  async channelHistory(channel: string, limit: number): Promise<string[]> {
    const stored = this.channels.get(channel)?.stored ?? [];
    return stored
      .slice(Math.max(0, stored.length - limit))
      .reverse()
      .map((message) => message.json);
  }

  async channelPosition(channel: string): Promise<StoredPosition | null> {
    const entry = this.channels.get(channel);
    return entry ? { epoch: entry.epoch, offset: entry.offset } : null;
  }

  async channelSince(channel: string, since: StoredPosition, max: number): Promise<ChannelRecovery> {
    const entry = this.channels.get(channel);
    const after = (entry?.stored ?? []).filter((message) => message.offset > since.offset).slice(0, max);
    return recoveryFrom(since, entry ? { epoch: entry.epoch, offset: entry.offset } : null, after, max);
  }

  async getRecord(recordId: string): Promise<StoredRecord> {
    const record = this.records.get(recordId);
    return record ? { json: record.json, version: record.version, incarnation: record.incarnation } : { json: null, version: 0, incarnation: "" };
  }

  async commitRecord(write: RecordWrite): Promise<RecordCommit> {
    const record = this.records.get(write.recordId);
    const current = record?.version ?? 0;
    const incarnation = record?.incarnation ?? randomUUID();
    if (
      current !== write.expectedVersion ||
      (write.expectedIncarnation !== undefined && write.expectedIncarnation !== incarnation) ||
      (write.afterOwnWrite && record?.writer !== write.writer)
    ) {
      return { ok: false, version: current, incarnation: record?.incarnation ?? "" };
    }
    this.records.set(write.recordId, { json: write.json, version: current + 1, incarnation, writer: write.writer });
    this.hub.publish(channelOf(this.keys, { kind: "record", recordId: write.recordId }), recordBusMessage(write.changeHead, write.json));
    return { ok: true, version: current + 1, incarnation };
  }

  async deleteRecord(recordId: string, origin: string): Promise<number> {
    const record = this.records.get(recordId);
    if (!record) return 0;
    this.records.delete(recordId);
    this.hub.publish(
      channelOf(this.keys, { kind: "record", recordId }),
      recordBusMessage(recordChangeHead({ t: "record", o: origin, v: record.version, del: true }, "[]"), "null"),
    );
    return record.version;
  }

  async channelSnapshot(
    channel: string,
    options: { historyLimit: number; since?: StoredPosition; max: number },
  ): Promise<ChannelSnapshot> {
    // Nothing can run between these reads in one process: the snapshot is atomic as it is.
    const [history, position] = await Promise.all([
      this.channelHistory(channel, options.historyLimit),
      this.channelPosition(channel),
    ]);
    if (!options.since) return { position, history };
    return { position, history, recovery: await this.channelSince(channel, options.since, options.max) };
  }

  async heartbeat(instanceId: string, ttlMs: number): Promise<boolean> {
    const wasAlive = this.isAlive(instanceId);
    this.aliveUntil.set(instanceId, Date.now() + ttlMs);
    return wasAlive;
  }

  async listInstances(): Promise<string[]> {
    return [...this.aliveUntil.keys()];
  }

  async isInstanceAlive(instanceId: string): Promise<boolean> {
    return this.isAlive(instanceId);
  }

  async reapInstance(
    instanceId: string,
    options: { force?: boolean; lockTtlMs?: number } = {},
  ): Promise<ReapedConnection[] | null> {
    if (!options.force) {
      if (this.isAlive(instanceId)) return null;
      if ((this.reapLocks.get(instanceId) ?? 0) > Date.now()) return null;
      this.reapLocks.set(instanceId, Date.now() + (options.lockTtlMs ?? 10_000));
    }
    const reaped = (await this.connectionsOf(instanceId)).map((connectionId) => ({
      connectionId,
      rooms: this.forget(connectionId),
    }));
    this.connectionsByInstance.delete(instanceId);
    this.aliveUntil.delete(instanceId);
    return reaped;
  }

  async close(): Promise<void> {
    // A shared store outlives any one server that uses it: nothing to release.
  }

  private isAlive(instanceId: string): boolean {
    return (this.aliveUntil.get(instanceId) ?? 0) > Date.now();
  }

  private requireConnection(connectionId: string): void {
    if (!this.instanceByConnection.has(connectionId)) {
      throw new MeshError("NOT_FOUND", `Connection ${connectionId} is not registered`);
    }
  }

  private readConnectionMetadata(connectionId: string): ConnectionMetadata | null {
    const stored = this.metadataByConnection.get(connectionId);
    return stored === undefined ? null : (JSON.parse(stored) as ConnectionMetadata);
  }

  private leaveAllRooms(connectionId: string): string[] {
    const rooms = [...(this.roomsByConnection.get(connectionId) ?? [])];
    for (const room of rooms) removeFrom(this.membersByRoom, room, connectionId);
    this.roomsByConnection.delete(connectionId);
    return rooms;
  }

  private forget(connectionId: string): string[] {
    const instanceId = this.instanceByConnection.get(connectionId);
    if (instanceId === undefined) return [];
    this.instanceByConnection.delete(connectionId);
    this.metadataByConnection.delete(connectionId);
    removeFrom(this.connectionsByInstance, instanceId, connectionId);
    return this.leaveAllRooms(connectionId);
  }
}
