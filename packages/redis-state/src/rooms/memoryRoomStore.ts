import { type MemoryData, addTo, removeFrom } from "../memory/memoryData";
import type { RoomMetadata, RoomStore } from "./roomStore";

/** The {@link RoomStore} in process memory. */
export class MemoryRoomStore implements RoomStore {
  constructor(private readonly data: MemoryData) {}

  async addMember(room: string, connectionId: string): Promise<boolean> {
    this.data.requireConnection(connectionId);
    addTo(this.data.roomsByConnection, connectionId, room);
    return addTo(this.data.membersByRoom, room, connectionId);
  }

  async removeMember(room: string, connectionId: string): Promise<boolean> {
    removeFrom(this.data.roomsByConnection, connectionId, room);
    return removeFrom(this.data.membersByRoom, room, connectionId);
  }

  async removeFromAll(connectionId: string): Promise<string[]> {
    return this.data.leaveAllRooms(connectionId);
  }

  async isMember(room: string, connectionId: string): Promise<boolean> {
    return this.data.membersByRoom.get(room)?.has(connectionId) ?? false;
  }

  async members(room: string): Promise<string[]> {
    return [...(this.data.membersByRoom.get(room) ?? [])];
  }

  async clear(room: string): Promise<string[]> {
    const members = [...(this.data.membersByRoom.get(room) ?? [])];
    for (const id of members) removeFrom(this.data.roomsByConnection, id, room);
    this.data.membersByRoom.delete(room);
    this.data.metadataByRoom.delete(room);
    return members;
  }

  async setMetadata(room: string, metadata: RoomMetadata): Promise<void> {
    this.data.metadataByRoom.set(room, new Map(Object.entries(metadata).map(([k, v]) => [k, JSON.stringify(v)])));
  }

  async getMetadata(room: string): Promise<RoomMetadata | null> {
    return this.read(room);
  }

  async updateMetadata(room: string, partial: RoomMetadata): Promise<RoomMetadata> {
    const fields = this.data.metadataByRoom.get(room) ?? new Map<string, string>();
    for (const [k, v] of Object.entries(partial)) fields.set(k, JSON.stringify(v));
    this.data.metadataByRoom.set(room, fields);
    return this.read(room) ?? {};
  }

  async getAllMetadata(): Promise<Record<string, RoomMetadata>> {
    const all: Record<string, RoomMetadata> = {};
    for (const room of this.data.metadataByRoom.keys()) all[room] = this.read(room) ?? {};
    return all;
  }

  private read(room: string): RoomMetadata | null {
    const fields = this.data.metadataByRoom.get(room);
    return fields ? Object.fromEntries([...fields].map(([k, v]) => [k, JSON.parse(v)])) : null;
  }
}
