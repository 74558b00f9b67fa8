import { readPresenceBusMessage } from "../bus/busMessages";
import { presenceScriptKeys } from "../keys";
import type { RedisCommands } from "../redis/redisCommands";
import { parseJson } from "../redis/redisCommands";
import type {
  PresenceEntry,
  PresenceEvent,
  PresenceJoin,
  PresenceMember,
  PresenceSnapshot,
  PresenceStateUpdate,
  PresenceStore,
} from "./presenceStore";

/** Expired connections (and states) one sweep script handles, so a mass expiry never blocks Redis for long. */
const SWEEP_BATCH = 500;

/** The event a script published, read back from the message it returns (`null` when it announced nothing). */
function eventOf(message: unknown): PresenceEvent | null {
  return typeof message === "string" ? readPresenceBusMessage(message) : null;
}

/** Groups entries by room, keeping each room's connections in the order given. */
function byRoom(entries: readonly PresenceEntry[]): Map<string, string[]> {
  const rooms = new Map<string, string[]>();
  for (const { room, connectionId } of entries) {
    const list = rooms.get(room);
    if (list) list.push(connectionId);
    else rooms.set(room, [connectionId]);
  }
  return rooms;
}

/**
 * The {@link PresenceStore} on Redis: a room's presence is seven keys under one hash tag, changed only by the
 * presence scripts (presenceScripts.ts), each of which publishes the event it causes. The list of rooms with
 * presence is a key of its own, written by plain commands next to the scripts (never inside them, as it lives in
 * another cluster slot).
 */
export class RedisPresenceStore implements PresenceStore {
  constructor(private readonly commands: RedisCommands) {}

  async join(room: string, join: PresenceJoin): Promise<PresenceEvent | null> {
    const joined = this.commands.run("meshPresenceJoin", this.keysOf(room), [
      join.origin,
      room,
      join.memberId,
      join.connectionId,
      JSON.stringify(join.metadata ?? null),
      Math.max(1, Math.ceil(join.ttlMs)),
    ]);
    // Sent right behind the script, in the same round trip; see `unlist` for why after it and not before.
    const listed = this.list([room]);
    const [message] = await Promise.all([joined, listed]);
    return eventOf(message);
  }

  async leave(room: string, connectionId: string, origin: string): Promise<PresenceEvent | null> {
    return eventOf(await this.commands.run("meshPresenceLeave", this.keysOf(room), [origin, room, connectionId]));
  }

  async refresh(entries: readonly PresenceEntry[], ttlMs: number): Promise<PresenceEntry[]> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const rooms = byRoom(entries);
    if (rooms.size === 0) return [];
    // One script per room and the listing behind them, all sent at once: one round trip in all. Listing the rooms
    // again on every refresh heals a list that lost a room (a listing that failed after its join).
    const refreshed = [...rooms].map(async ([room, connectionIds]) => {
      const missing = (await this.commands.run("meshPresenceRefresh", this.keysOf(room), [
        ttl,
        ...connectionIds,
      ])) as string[];
      return missing.map((connectionId) => ({ room, connectionId }));
    });
    const listed = this.list([...rooms.keys()]);
    const [results] = await Promise.all([Promise.all(refreshed), listed]);
    return results.flat();
  }

  async publishState(room: string, update: PresenceStateUpdate): Promise<PresenceEvent | null> {
    if (update.state === null || update.state === undefined)
      return this.clearState(room, update.memberId, update.origin);
    const expireAfter = update.expireAfterMs === undefined ? "" : Math.max(1, Math.ceil(update.expireAfterMs));
    const message = await this.commands.run("meshPresencePublishState", this.keysOf(room), [
      update.origin,
      room,
      update.memberId,
      JSON.stringify(update.state),
      expireAfter,
    ]);
    return eventOf(message);
  }

  async clearState(room: string, memberId: string, origin: string): Promise<PresenceEvent | null> {
    return eventOf(await this.commands.run("meshPresenceClearState", this.keysOf(room), [origin, room, memberId]));
  }

  async sweepExpired(room: string, origin: string, nowMs?: number): Promise<PresenceEvent[]> {
    const events: PresenceEvent[] = [];
    for (;;) {
      const [more, remaining, ...messages] = (await this.commands.run("meshPresenceSweep", this.keysOf(room), [
        origin,
        room,
        nowMs === undefined ? "" : Math.floor(nowMs),
        SWEEP_BATCH,
      ])) as [number, number, ...string[]];
      for (const message of messages) {
        const event = eventOf(message);
        if (event) events.push(event);
      }
      if (Number(more) === 1) continue;
      if (Number(remaining) === 0) await this.unlist(room);
      return events;
    }
  }

  async snapshot(room: string): Promise<PresenceSnapshot> {
    const keys = this.commands.keys.presence(room);
    // One MULTI: no presence script can run between the position and the entries.
    const results =
      (await this.commands.redis
        .multi()
        .hmget(keys.position, "e", "n")
        .hgetall(keys.members)
        .hgetall(keys.connections)
        .hgetall(keys.states)
        .exec()) ?? [];
    const [epoch, seq] = (results[0]?.[1] ?? []) as (string | null)[];
    const metadata = (results[1]?.[1] ?? {}) as Record<string, string>;
    const owners = (results[2]?.[1] ?? {}) as Record<string, string>;
    const states = (results[3]?.[1] ?? {}) as Record<string, string>;
    const connectionsOf = new Map<string, string[]>();
    for (const [connectionId, memberId] of Object.entries(owners)) {
      const list = connectionsOf.get(memberId);
      if (list) list.push(connectionId);
      else connectionsOf.set(memberId, [connectionId]);
    }
    const members: PresenceMember[] = Object.entries(metadata)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([memberId, json]) => ({
        memberId,
        connectionIds: (connectionsOf.get(memberId) ?? []).sort(),
        metadata: parseJson(json),
      }));
    return {
      epoch: Number(epoch ?? 0),
      seq: Number(seq ?? 0),
      members,
      states: Object.fromEntries(Object.entries(states).map(([memberId, json]) => [memberId, parseJson(json)])),
    };
  }

  async roomsWithPresence(): Promise<string[]> {
    return this.commands.redis.smembers(this.commands.keys.roomsWithPresence());
  }

  private keysOf(room: string): string[] {
    return presenceScriptKeys(this.commands.keys.presence(room));
  }

  /** Lists rooms as having presence. Always sent after the script that added their connections. */
  private async list(rooms: string[]): Promise<void> {
    await this.commands.redis.sadd(this.commands.keys.roomsWithPresence(), ...rooms);
  }

  /**
   * Drops a room that was found empty from the list. The list lives in another cluster slot than the room, so the
   * check cannot be atomic with the removal. A join lists its room after its script has added the connection: if
   * that listing comes after this removal, the room stays listed; if it came before, the join's connection was
   * added before the removal too, and the check after the removal finds it and lists the room again.
   */
  private async unlist(room: string): Promise<void> {
    const { redis, keys } = this.commands;
    await redis.srem(keys.roomsWithPresence(), room);
    if ((await redis.zcard(keys.presence(room).expiry)) > 0) await redis.sadd(keys.roomsWithPresence(), room);
  }
}
