import { MeshError } from "@meshwork/protocol";
import type { ConnectionMetadata, ConnectionMetadataEntry, MeshState } from "./meshState";

/**
 * A {@link MeshState} in process memory. Several server instances in one process that use the same
 * key prefix share one store through {@link MemoryState.shared}, the way instances share one Redis.
 */
export class MemoryState implements MeshState {
  readonly kind = "memory";

  private static readonly sharedByPrefix = new Map<string, MemoryState>();

  /** The store every in-process server with this key prefix shares. */
  static shared(keyPrefix: string): MemoryState {
    let state = MemoryState.sharedByPrefix.get(keyPrefix);
    if (!state) {
      state = new MemoryState();
      MemoryState.sharedByPrefix.set(keyPrefix, state);
    }
    return state;
  }

  private readonly instanceByConnection = new Map<string, string>();
  private readonly connectionsByInstance = new Map<string, Set<string>>();
  private readonly metadataByConnection = new Map<string, string>();

  async registerConnection(connectionId: string, instanceId: string): Promise<void> {
    this.forget(connectionId);
    this.instanceByConnection.set(connectionId, instanceId);
    let connections = this.connectionsByInstance.get(instanceId);
    if (!connections) {
      connections = new Set();
      this.connectionsByInstance.set(instanceId, connections);
    }
    connections.add(connectionId);
  }

  async unregisterConnection(connectionId: string): Promise<void> {
    this.forget(connectionId);
  }

  async instanceOf(connectionId: string): Promise<string | null> {
    return this.instanceByConnection.get(connectionId) ?? null;
  }

  async connectionsOf(instanceId: string): Promise<string[]> {
    return [...(this.connectionsByInstance.get(instanceId) ?? [])];
  }

  async setConnectionMetadata(connectionId: string, metadata: ConnectionMetadata): Promise<void> {
    if (!this.instanceByConnection.has(connectionId)) {
      throw new MeshError("NOT_FOUND", `Connection ${connectionId} is not registered`);
    }
    this.metadataByConnection.set(connectionId, JSON.stringify(metadata));
  }

  async getConnectionMetadata(connectionId: string): Promise<ConnectionMetadata | null> {
    const stored = this.metadataByConnection.get(connectionId);
    return stored === undefined ? null : (JSON.parse(stored) as ConnectionMetadata);
  }

  async getAllConnectionMetadata(): Promise<ConnectionMetadataEntry[]> {
    const entries: ConnectionMetadataEntry[] = [];
    for (const connectionId of this.instanceByConnection.keys()) {
      const stored = this.metadataByConnection.get(connectionId);
      entries.push({ [connectionId]: stored === undefined ? null : (JSON.parse(stored) as ConnectionMetadata) });
    }
    return entries;
  }

  async close(): Promise<void> {
    // A shared store outlives any one server that uses it: nothing to release.
  }

  private forget(connectionId: string): void {
    const instanceId = this.instanceByConnection.get(connectionId);
    if (instanceId === undefined) return;
    this.instanceByConnection.delete(connectionId);
    this.metadataByConnection.delete(connectionId);
    const connections = this.connectionsByInstance.get(instanceId);
    connections?.delete(connectionId);
    if (connections?.size === 0) this.connectionsByInstance.delete(instanceId);
  }
}
