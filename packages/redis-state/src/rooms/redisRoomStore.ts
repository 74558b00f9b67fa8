import { type RedisCommands, fieldsToObject } from "../redis/redisCommands";
import type { RoomMetadata, RoomStore } from "./roomStore";

/**
 * The {@link RoomStore} on Redis: a members set per room, a rooms set per connection, and a metadata hash per room
 * (one field per top-level key) listed in one set so all metadata can be read without scanning keys.
 */
export class RedisRoomStore implements RoomStore {
  constructor(private readonly commands: RedisCommands) {}

  async addMember(room: string, connectionId: string): Promise<boolean> {
    const k = this.commands.keys;
    const added = await this.commands.run(
      "meshAddToRoom",
      [k.connections(), k.roomMembers(room), k.connectionRooms(connectionId)],
      [connectionId, room],
    );
    return added === 1;
  }

  async removeMember(room: string, connectionId: string): Promise<boolean> {
    const k = this.commands.keys;
    const results = await this.commands.redis
      .multi()
      .srem(k.roomMembers(room), connectionId)
      .srem(k.connectionRooms(connectionId), room)
      .exec();
    return results?.[0]?.[1] === 1;
  }

  async removeFromAll(connectionId: string): Promise<string[]> {
    const k = this.commands.keys;
    return (await this.commands.runPlanned("meshRemoveFromAllRooms", async () => {
      const rooms = await this.commands.redis.smembers(k.connectionRooms(connectionId));
      return { keys: [k.connectionRooms(connectionId), ...rooms.map(k.roomMembers)], args: [connectionId, ...rooms] };
    })) as string[];
  }

  async isMember(room: string, connectionId: string): Promise<boolean> {
    return (await this.commands.redis.sismember(this.commands.keys.roomMembers(room), connectionId)) === 1;
  }

  async members(room: string): Promise<string[]> {
    return this.commands.redis.smembers(this.commands.keys.roomMembers(room));
  }

  async clear(room: string): Promise<string[]> {
    const k = this.commands.keys;
    return (await this.commands.runPlanned("meshClearRoom", async () => {
      const members = await this.commands.redis.smembers(k.roomMembers(room));
      return {
        keys: [k.roomMembers(room), k.roomMetadata(room), k.roomsWithMetadata(), ...members.map(k.connectionRooms)],
        args: [room, ...members],
      };
    })) as string[];
  }

  async setMetadata(room: string, metadata: RoomMetadata): Promise<void> {
    const k = this.commands.keys;
    const transaction = this.commands.redis.multi().del(k.roomMetadata(room));
    const fields = Object.entries(metadata).flatMap(([field, value]) => [field, JSON.stringify(value)]);
    if (fields.length > 0) transaction.hset(k.roomMetadata(room), ...fields);
    await transaction.sadd(k.roomsWithMetadata(), room).exec();
  }

  async getMetadata(room: string): Promise<RoomMetadata | null> {
    const k = this.commands.keys;
    const results = await this.commands.redis
      .multi()
      .sismember(k.roomsWithMetadata(), room)
      .hgetall(k.roomMetadata(room))
      .exec();
    if (results?.[0]?.[1] !== 1) return null;
    return fieldsToObject((results[1]?.[1] ?? {}) as Record<string, string>);
  }

  async updateMetadata(room: string, partial: RoomMetadata): Promise<RoomMetadata> {
    const k = this.commands.keys;
    // One MULTI: the fields land together and the read that follows sees exactly this merge.
    const transaction = this.commands.redis.multi();
    const fields = Object.entries(partial).flatMap(([field, value]) => [field, JSON.stringify(value)]);
    if (fields.length > 0) transaction.hset(k.roomMetadata(room), ...fields);
    const results = await transaction.sadd(k.roomsWithMetadata(), room).hgetall(k.roomMetadata(room)).exec();
    return fieldsToObject((results?.at(-1)?.[1] ?? {}) as Record<string, string>);
  }

  async getAllMetadata(): Promise<Record<string, RoomMetadata>> {
    const k = this.commands.keys;
    const rooms = await this.commands.redis.smembers(k.roomsWithMetadata());
    const pipeline = this.commands.redis.pipeline();
    for (const room of rooms) pipeline.hgetall(k.roomMetadata(room));
    const results = rooms.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const all: Record<string, RoomMetadata> = {};
    rooms.forEach((room, index) => {
      all[room] = fieldsToObject((results[index]?.[1] ?? {}) as Record<string, string>);
    });
    return all;
  }
}
