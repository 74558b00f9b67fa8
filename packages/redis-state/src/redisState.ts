import { MeshError } from "@meshwork/protocol";
import { Redis, type RedisOptions } from "ioredis";
import { randomUUID } from "node:crypto";
import type { MeshBus } from "./bus";
import { type ChannelRecovery, type ChannelSnapshot, type StoredMessage, type StoredPosition, channelBusMessage, recoveryFrom } from "./channelHistory";
import { createKeys, type MeshKeys } from "./keys";
import type {
  ConnectionMetadata,
  ConnectionMetadataEntry,
  MeshState,
  ReapedConnection,
  RoomMetadata,
} from "./meshState";
import { RedisBus } from "./redisBus";
import type { RecordCommit, RecordWrite, StoredRecord } from "./recordStore";
import { SCRIPTS } from "./scripts";

/** How to reach Redis: a `redis://` URL or ioredis options. */
export type RedisConnection = string | RedisOptions;

/** Options of {@link RedisState}. */
export interface RedisStateOptions {
  /** Where Redis is. */
  connection: RedisConnection;
  /**
   * Prefix of every key and pub/sub channel.
   * @default "mesh:"
   */
  keyPrefix?: string;
  /** Receives connection errors; the store keeps reconnecting on its own. */
  onError?: (error: Error) => void;
}

type ScriptName = keyof typeof SCRIPTS;
type ScriptRunner = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

const parseJson = (text: string): unknown => JSON.parse(text);

function fieldsToObject(fields: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, parseJson(v)]));
}

/** The value of `field` in a stream entry's flat field list. */
function fieldValue(fields: string[], field: string): string {
  const index = fields.indexOf(field);
  return index === -1 ? "null" : (fields[index + 1] ?? "null");
}

function toStoreError(error: unknown): unknown {
  if (error instanceof Error && /\bNOT_FOUND\b/.test(error.message)) {
    return new MeshError("NOT_FOUND", "The connection is not registered", { cause: error });
  }
  return error;
}

/**
 * The {@link MeshState} of a cluster: every instance on one Redis sees the same connections, rooms and
 * metadata. Multi-step updates run as Lua scripts (see scripts.ts); keys come from keys.ts.
 */
export class RedisState implements MeshState {
  readonly kind = "redis";
  readonly keys: MeshKeys;
  private readonly redis: Redis;
  private readonly buses = new Set<RedisBus>();
  private readonly onError: (error: Error) => void;
  private closed = false;

  constructor(options: RedisStateOptions) {
    this.keys = createKeys(options.keyPrefix ?? "mesh:");
    this.onError = options.onError ?? (() => {});
    const base: RedisOptions = { maxRetriesPerRequest: 2, lazyConnect: false };
    this.redis =
      typeof options.connection === "string"
        ? new Redis(options.connection, base)
        : new Redis({ ...base, ...options.connection });
    this.redis.on("error", (error: Error) => this.onError(error));
    for (const [name, script] of Object.entries(SCRIPTS)) {
      this.redis.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    }
  }

  async ready(): Promise<void> {
    if (this.redis.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        this.redis.off("end", onEnd);
        resolve();
      };
      const onEnd = (): void => {
        this.redis.off("ready", onReady);
        reject(new MeshError("INTERNAL_ERROR", "The Redis connection closed before it was ready"));
      };
      this.redis.once("ready", onReady);
      this.redis.once("end", onEnd);
    });
  }

  createBus(): MeshBus {
    const bus = new RedisBus(this.redis, this.keys, this.onError);
    this.buses.add(bus);
    return bus;
  }

  async registerConnection(connectionId: string, instanceId: string): Promise<void> {
    const k = this.keys;
    await this.run("meshRegisterConnection", [k.connections(), k.instanceConnections(instanceId)], [
      k.prefix,
      connectionId,
      instanceId,
    ]);
  }

  async unregisterConnection(connectionId: string): Promise<string[]> {
    const k = this.keys;
    return (await this.run(
      "meshUnregisterConnection",
      [k.connections(), k.connectionMetadata(), k.connectionRooms(connectionId)],
      [k.prefix, connectionId],
    )) as string[];
  }

  async instanceOf(connectionId: string): Promise<string | null> {
    return this.redis.hget(this.keys.connections(), connectionId);
  }

  async instancesOf(connectionIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (connectionIds.length === 0) return found;
    const instances = await this.redis.hmget(this.keys.connections(), ...connectionIds);
    connectionIds.forEach((id, index) => {
      const instanceId = instances[index];
      if (instanceId) found.set(id, instanceId);
    });
    return found;
  }

  async connectionsOf(instanceId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.instanceConnections(instanceId));
  }

  async setConnectionMetadata(connectionId: string, metadata: ConnectionMetadata): Promise<void> {
    const k = this.keys;
    await this.run("meshSetConnectionMetadata", [k.connections(), k.connectionMetadata()], [
      connectionId,
      JSON.stringify(metadata),
    ]);
  }

  async getConnectionMetadata(connectionId: string): Promise<ConnectionMetadata | null> {
    const stored = await this.redis.hget(this.keys.connectionMetadata(), connectionId);
    return stored === null ? null : (parseJson(stored) as ConnectionMetadata);
  }

  async getAllConnectionMetadata(): Promise<ConnectionMetadataEntry[]> {
    const ids = await this.redis.hkeys(this.keys.connections());
    return this.metadataEntries(ids);
  }

  async getConnectionMetadataForRoom(room: string): Promise<ConnectionMetadataEntry[]> {
    return this.metadataEntries(await this.getRoomMembers(room));
  }

  async addToRoom(room: string, connectionId: string): Promise<boolean> {
    const k = this.keys;
    const added = await this.run(
      "meshAddToRoom",
      [k.connections(), k.roomMembers(room), k.connectionRooms(connectionId)],
      [connectionId, room],
    );
    return added === 1;
  }

  async removeFromRoom(room: string, connectionId: string): Promise<boolean> {
    const results = await this.redis
      .multi()
      .srem(this.keys.roomMembers(room), connectionId)
      .srem(this.keys.connectionRooms(connectionId), room)
      .exec();
    return results?.[0]?.[1] === 1;
  }

  async removeFromAllRooms(connectionId: string): Promise<string[]> {
    const k = this.keys;
    return (await this.run("meshRemoveFromAllRooms", [k.connectionRooms(connectionId)], [k.prefix, connectionId])) as string[];
  }

  async isInRoom(room: string, connectionId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.roomMembers(room), connectionId)) === 1;
  }

  async getRoomMembers(room: string): Promise<string[]> {
    return this.redis.smembers(this.keys.roomMembers(room));
  }

  async roomsOf(connectionId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.connectionRooms(connectionId));
  }

  async clearRoom(room: string): Promise<string[]> {
    const k = this.keys;
    return (await this.run("meshClearRoom", [k.roomMembers(room), k.roomMetadata(room), k.roomsWithMetadata()], [
      k.prefix,
      room,
    ])) as string[];
  }

  async setRoomMetadata(room: string, metadata: RoomMetadata): Promise<void> {
    const transaction = this.redis.multi().del(this.keys.roomMetadata(room));
    const fields = Object.entries(metadata).flatMap(([field, value]) => [field, JSON.stringify(value)]);
    if (fields.length > 0) transaction.hset(this.keys.roomMetadata(room), ...fields);
    await transaction.sadd(this.keys.roomsWithMetadata(), room).exec();
  }

  async getRoomMetadata(room: string): Promise<RoomMetadata | null> {
    const results = await this.redis
      .multi()
      .sismember(this.keys.roomsWithMetadata(), room)
      .hgetall(this.keys.roomMetadata(room))
      .exec();
    if (results?.[0]?.[1] !== 1) return null;
    return fieldsToObject((results[1]?.[1] ?? {}) as Record<string, string>);
  }

  async updateRoomMetadata(room: string, partial: RoomMetadata): Promise<RoomMetadata> {
    // One MULTI: the fields land together and the read that follows sees exactly this merge.
    const transaction = this.redis.multi();
    const fields = Object.entries(partial).flatMap(([field, value]) => [field, JSON.stringify(value)]);
    if (fields.length > 0) transaction.hset(this.keys.roomMetadata(room), ...fields);
    const results = await transaction.sadd(this.keys.roomsWithMetadata(), room).hgetall(this.keys.roomMetadata(room)).exec();
    return fieldsToObject((results?.at(-1)?.[1] ?? {}) as Record<string, string>);
  }

  async getAllRoomMetadata(): Promise<Record<string, RoomMetadata>> {
    const rooms = await this.redis.smembers(this.keys.roomsWithMetadata());
    const pipeline = this.redis.pipeline();
    for (const room of rooms) pipeline.hgetall(this.keys.roomMetadata(room));
    const results = rooms.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const all: Record<string, RoomMetadata> = {};
    rooms.forEach((room, index) => {
      all[room] = fieldsToObject((results[index]?.[1] ?? {}) as Record<string, string>);
    });
    return all;
  }

  async publishToChannel(channel: string, json: string, history: number, origin: string): Promise<StoredPosition | null> {
    const k = this.keys;
    if (history <= 0) {
      await this.redis.publish(k.busChannel(channel), channelBusMessage(origin, json));
      return null;
    }
    const [epoch, offset] = (await this.run(
      "meshPublishToChannel",
      [k.channelMeta(channel), k.channelHistory(channel), k.busChannel(channel)],
      [json, Math.floor(history), origin, randomUUID()],
    )) as [string, number];
    return { epoch, offset: Number(offset) };
  }

  async channelHistory(channel: string, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const entries = await this.redis.xrevrange(this.keys.channelHistory(channel), "+", "-", "COUNT", limit);
    return entries.map(([, fields]) => fieldValue(fields, "d"));
  }

  async channelPosition(channel: string): Promise<StoredPosition | null> {
    const [epoch, offset] = await this.redis.hmget(this.keys.channelMeta(channel), "epoch", "offset");
    return epoch ? { epoch, offset: Number(offset ?? 0) } : null;
  }

  async channelSince(channel: string, since: StoredPosition, max: number): Promise<ChannelRecovery> {
    // One MULTI: the position and the entries after `since` are read from the same moment.
    const results = await this.redis
      .multi()
      .hmget(this.keys.channelMeta(channel), "epoch", "offset")
      .xrange(this.keys.channelHistory(channel), `${since.offset + 1}-0`, "+", "COUNT", max)
      .exec();
    const [epoch, offset] = (results?.[0]?.[1] ?? []) as (string | null)[];
    const entries = (results?.[1]?.[1] ?? []) as [string, string[]][];
    const current = epoch ? { epoch, offset: Number(offset ?? 0) } : null;
    const after: StoredMessage[] = entries.map(([id, fields]) => ({
      offset: Number(id.split("-")[0]),
      json: fieldValue(fields, "d"),
    }));
    return recoveryFrom(since, current, after, max);
  }

  async getRecord(recordId: string): Promise<StoredRecord> {
    const [version, json, incarnation] = await this.redis.hmget(this.keys.record(recordId), "v", "d", "i");
    return { json: json ?? null, version: Number(version ?? 0), incarnation: incarnation ?? "" };
  }

  async commitRecord(write: RecordWrite): Promise<RecordCommit> {
    const k = this.keys;
    const [ok, version, incarnation] = (await this.run("meshCommitRecord", [k.record(write.recordId), k.busRecord(write.recordId)], [
      write.expectedVersion,
      write.json,
      write.changeHead,
      write.expectedIncarnation ?? "",
      randomUUID(),
      write.writer,
      write.afterOwnWrite ? "1" : "",
    ])) as [number, number, string];
    return { ok: ok === 1, version: Number(version), incarnation: String(incarnation) };
  }

  async deleteRecord(recordId: string, origin: string): Promise<number> {
    const k = this.keys;
    return Number(await this.run("meshDeleteRecord", [k.record(recordId), k.busRecord(recordId)], [origin]));
  }

  async channelSnapshot(
    channel: string,
    options: { historyLimit: number; since?: StoredPosition; max: number },
  ): Promise<ChannelSnapshot> {
    const k = this.keys;
    const { historyLimit, since, max } = options;
    // One MULTI: no publish can land between the position, the history and the missed messages.
    const transaction = this.redis.multi().hmget(k.channelMeta(channel), "epoch", "offset");
    transaction.xrevrange(k.channelHistory(channel), "+", "-", "COUNT", Math.max(1, historyLimit));
    if (since) transaction.xrange(k.channelHistory(channel), `${since.offset + 1}-0`, "+", "COUNT", max);
    const results = (await transaction.exec()) ?? [];
    const [epoch, offset] = (results[0]?.[1] ?? []) as (string | null)[];
    const position = epoch ? { epoch, offset: Number(offset ?? 0) } : null;
    const newest = (results[1]?.[1] ?? []) as [string, string[]][];
    const history = historyLimit > 0 ? newest.map(([, fields]) => fieldValue(fields, "d")) : [];
    if (!since) return { position, history };
    const after = ((results[2]?.[1] ?? []) as [string, string[]][]).map(([id, fields]) => ({
      offset: Number(id.split("-")[0]),
      json: fieldValue(fields, "d"),
    }));
    return { position, history, recovery: recoveryFrom(since, position, after, max) };
  }

  async heartbeat(instanceId: string, ttlMs: number): Promise<boolean> {
    const k = this.keys;
    const existed = await this.run("meshHeartbeat", [k.instanceAlive(instanceId), k.instances()], [
      instanceId,
      Math.max(1, Math.round(ttlMs)),
    ]);
    return existed === 1;
  }

  async listInstances(): Promise<string[]> {
    return this.redis.smembers(this.keys.instances());
  }

  async isInstanceAlive(instanceId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.instanceAlive(instanceId))) === 1;
  }

  async reapInstance(
    instanceId: string,
    options: { force?: boolean; lockTtlMs?: number } = {},
  ): Promise<ReapedConnection[] | null> {
    const k = this.keys;
    const flat = (await this.run(
      "meshReapInstance",
      [
        k.instances(),
        k.instanceAlive(instanceId),
        k.instanceReapLock(instanceId),
        k.instanceConnections(instanceId),
        k.connections(),
        k.connectionMetadata(),
      ],
      [k.prefix, instanceId, options.force ? "1" : "0", options.lockTtlMs ?? 10_000],
    )) as (string | number)[] | null;
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.buses].map((bus) => bus.close()));
    this.buses.clear();
    // QUIT waits for Redis to answer; when it is unreachable that would wait out every reconnect attempt.
    if (this.redis.status !== "ready") {
      this.redis.disconnect();
      return;
    }
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private async metadataEntries(ids: readonly string[]): Promise<ConnectionMetadataEntry[]> {
    if (ids.length === 0) return [];
    const stored = await this.redis.hmget(this.keys.connectionMetadata(), ...ids);
    return ids.map((id, index) => {
      const text = stored[index];
      return { [id]: text ? (parseJson(text) as ConnectionMetadata) : null };
    });
  }

  private async run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const runner = (this.redis as unknown as Record<ScriptName, ScriptRunner>)[name];
    try {
      return await runner.call(this.redis, ...keys, ...args);
    } catch (error) {
      throw toStoreError(error);
    }
  }
}
