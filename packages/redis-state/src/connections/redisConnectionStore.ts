import { type RedisCommands, parseJson } from "../redis/redisCommands";
import type { ConnectionMetadata, ConnectionMetadataEntry, ConnectionStore } from "./connectionStore";

/** The {@link ConnectionStore} on Redis: a routing hash, a metadata hash and one set of connections per instance. */
export class RedisConnectionStore implements ConnectionStore {
  constructor(private readonly commands: RedisCommands) {}

  async register(connectionId: string, instanceId: string): Promise<void> {
    const k = this.commands.keys;
    // A new id has no previous instance, so the first attempt reads nothing; a retry (after STALE) reads it.
    let attempts = 0;
    await this.commands.runPlanned("meshRegisterConnection", async () => {
      const expected = attempts++ === 0 ? "" : ((await this.commands.redis.hget(k.connections(), connectionId)) ?? "");
      const keys = [k.connections(), k.instanceConnections(instanceId)];
      if (expected !== "" && expected !== instanceId) keys.push(k.instanceConnections(expected));
      return { keys, args: [connectionId, instanceId, expected] };
    });
  }

  async unregister(connectionId: string): Promise<string[]> {
    const k = this.commands.keys;
    return (await this.commands.runPlanned("meshUnregisterConnection", async () => {
      const [instance, rooms] = await Promise.all([
        this.commands.redis.hget(k.connections(), connectionId),
        this.commands.redis.smembers(k.connectionRooms(connectionId)),
      ]);
      const keys = [
        k.connections(),
        k.connectionMetadata(),
        k.connectionRooms(connectionId),
        ...rooms.map(k.roomMembers),
      ];
      if (instance !== null) keys.push(k.instanceConnections(instance));
      return { keys, args: [connectionId, instance ?? "", ...rooms] };
    })) as string[];
  }

  async instanceOf(connectionId: string): Promise<string | null> {
    return this.commands.redis.hget(this.commands.keys.connections(), connectionId);
  }

  async instancesOf(connectionIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (connectionIds.length === 0) return found;
    const instances = await this.commands.redis.hmget(this.commands.keys.connections(), ...connectionIds);
    connectionIds.forEach((id, index) => {
      const instanceId = instances[index];
      if (instanceId) found.set(id, instanceId);
    });
    return found;
  }

  async connectionsOf(instanceId: string): Promise<string[]> {
    return this.commands.redis.smembers(this.commands.keys.instanceConnections(instanceId));
  }

  async setMetadata(connectionId: string, metadata: ConnectionMetadata): Promise<void> {
    const k = this.commands.keys;
    await this.commands.run(
      "meshSetConnectionMetadata",
      [k.connections(), k.connectionMetadata()],
      [connectionId, JSON.stringify(metadata)],
    );
  }

  async getMetadata(connectionId: string): Promise<ConnectionMetadata | null> {
    const stored = await this.commands.redis.hget(this.commands.keys.connectionMetadata(), connectionId);
    return stored === null ? null : (parseJson(stored) as ConnectionMetadata);
  }

  async getAllMetadata(): Promise<ConnectionMetadataEntry[]> {
    const ids = await this.commands.redis.hkeys(this.commands.keys.connections());
    return this.metadataEntries(ids);
  }

  async getMetadataForRoom(room: string): Promise<ConnectionMetadataEntry[]> {
    return this.metadataEntries(await this.commands.redis.smembers(this.commands.keys.roomMembers(room)));
  }

  private async metadataEntries(ids: readonly string[]): Promise<ConnectionMetadataEntry[]> {
    if (ids.length === 0) return [];
    const stored = await this.commands.redis.hmget(this.commands.keys.connectionMetadata(), ...ids);
    return ids.map((id, index) => {
      const text = stored[index];
      return { [id]: text ? (parseJson(text) as ConnectionMetadata) : null };
    });
  }
}
