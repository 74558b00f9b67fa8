import type { RedisCommands } from "../redis/redisCommands";
import type { InstanceStore, ReapOptions, ReapedConnection } from "./instanceStore";

/**
 * The {@link InstanceStore} on Redis: a heartbeat key with a TTL per instance, a set listing them, and a Lua script
 * that removes a dead instance's connections, memberships and metadata under a lock (`reapInstanceScript`).
 */
export class RedisInstanceStore implements InstanceStore {
  constructor(private readonly commands: RedisCommands) {}

  async heartbeat(instanceId: string, ttlMs: number): Promise<boolean> {
    const k = this.commands.keys;
    const existed = await this.commands.run(
      "meshHeartbeat",
      [k.instanceAlive(instanceId), k.instances()],
      [instanceId, Math.max(1, Math.round(ttlMs))],
    );
    return existed === 1;
  }

  async generation(candidate: string): Promise<string> {
    // One command on one key: set it when absent and read what was there (Redis ≥ 7.0 for NX with GET).
    const previous = await this.commands.redis.set(this.commands.keys.stateGeneration(), candidate, "NX", "GET");
    return previous ?? candidate;
  }

  async list(): Promise<string[]> {
    return this.commands.redis.smembers(this.commands.keys.instances());
  }

  async isAlive(instanceId: string): Promise<boolean> {
    return (await this.commands.redis.exists(this.commands.keys.instanceAlive(instanceId))) === 1;
  }

  async reap(instanceId: string, options: ReapOptions = {}): Promise<ReapedConnection[] | null> {
    const k = this.commands.keys;
    const fixed = [
      k.instances(),
      k.instanceAlive(instanceId),
      k.instanceReapLock(instanceId),
      k.instanceConnections(instanceId),
      k.connections(),
      k.connectionMetadata(),
    ];
    const flat = (await this.commands.runPlanned("meshReapInstance", async () => {
      const owned = await this.ownedConnections(instanceId);
      const keys = [...fixed];
      for (const [id, rooms] of owned.owned) keys.push(k.connectionRooms(id), ...rooms.map(k.roomMembers));
      const args = [instanceId, options.force ? "1" : "0", options.lockTtlMs ?? 10_000, JSON.stringify(owned)];
      return { keys, args };
    })) as (string | number)[] | null;
    if (flat === null) return null;
    const reaped: ReapedConnection[] = [];
    for (let i = 0; i < flat.length; ) {
      const connectionId = String(flat[i]);
      const count = Number(flat[i + 1]);
      reaped.push({ connectionId, rooms: flat.slice(i + 2, i + 2 + count).map(String) });
      i += 2 + count;
    }
    return reaped;
  }

  /** Every id in an instance's set, and those the routing hash gives to it, with their rooms: the reap's plan. */
  private async ownedConnections(instanceId: string): Promise<{ ids: string[]; owned: Array<[string, string[]]> }> {
    const k = this.commands.keys;
    const redis = this.commands.redis;
    const ids = await redis.smembers(k.instanceConnections(instanceId));
    if (ids.length === 0) return { ids, owned: [] };
    const owners = await redis.hmget(k.connections(), ...ids);
    const ownIds = ids.filter((_, index) => owners[index] === instanceId);
    const rooms = await Promise.all(ownIds.map((id) => redis.smembers(k.connectionRooms(id))));
    return { ids, owned: ownIds.map((id, index) => [id, rooms[index] ?? []]) };
  }
}
