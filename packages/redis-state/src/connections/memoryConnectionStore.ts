import { type MemoryData, addTo, removeFrom } from "../memory/memoryData";
import type { ConnectionMetadata, ConnectionMetadataEntry, ConnectionStore } from "./connectionStore";

/** The {@link ConnectionStore} in process memory. */
export class MemoryConnectionStore implements ConnectionStore {
  constructor(private readonly data: MemoryData) {}

  async register(connectionId: string, instanceId: string): Promise<void> {
    const previous = this.data.instanceByConnection.get(connectionId);
    if (previous !== undefined) removeFrom(this.data.connectionsByInstance, previous, connectionId);
    this.data.instanceByConnection.set(connectionId, instanceId);
    addTo(this.data.connectionsByInstance, instanceId, connectionId);
  }

  async unregister(connectionId: string): Promise<string[]> {
    return this.data.forgetConnection(connectionId);
  }

  async instanceOf(connectionId: string): Promise<string | null> {
    return this.data.instanceByConnection.get(connectionId) ?? null;
  }

  async instancesOf(connectionIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const id of connectionIds) {
      const instanceId = this.data.instanceByConnection.get(id);
      if (instanceId !== undefined) found.set(id, instanceId);
    }
    return found;
  }

  async connectionsOf(instanceId: string): Promise<string[]> {
    return [...(this.data.connectionsByInstance.get(instanceId) ?? [])];
  }

  async setMetadata(connectionId: string, metadata: ConnectionMetadata): Promise<void> {
    this.data.requireConnection(connectionId);
    this.data.metadataByConnection.set(connectionId, JSON.stringify(metadata));
  }

  async getMetadata(connectionId: string): Promise<ConnectionMetadata | null> {
    return this.read(connectionId);
  }

  async getAllMetadata(): Promise<ConnectionMetadataEntry[]> {
    return [...this.data.instanceByConnection.keys()].map((id) => ({ [id]: this.read(id) }));
  }

  async getMetadataForRoom(room: string): Promise<ConnectionMetadataEntry[]> {
    return [...(this.data.membersByRoom.get(room) ?? [])].map((id) => ({ [id]: this.read(id) }));
  }

  private read(connectionId: string): ConnectionMetadata | null {
    const stored = this.data.metadataByConnection.get(connectionId);
    return stored === undefined ? null : (JSON.parse(stored) as ConnectionMetadata);
  }
}
