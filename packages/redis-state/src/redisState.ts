import { MeshError } from "@meshwork/protocol";
import type { MeshBus } from "./bus/bus";
import { RedisBus } from "./bus/redisBus";
import type { ChannelStore } from "./channels/channelStore";
import { RedisChannelStore } from "./channels/redisChannelStore";
import type { ConnectionStore } from "./connections/connectionStore";
import { RedisConnectionStore } from "./connections/redisConnectionStore";
import type { InstanceStore } from "./instances/instanceStore";
import { RedisInstanceStore } from "./instances/redisInstanceStore";
import { createKeys, type MeshKeys } from "./keys";
import type { MeshState, StateProbe } from "./meshState";
import type { PresenceStore } from "./presence/presenceStore";
import { RedisPresenceStore } from "./presence/redisPresenceStore";
import type { RecordStore } from "./records/recordStore";
import { RedisRecordStore } from "./records/redisRecordStore";
import { RedisAvailability } from "./redis/redisAvailability";
import { type RedisClient, RedisCommands } from "./redis/redisCommands";
import { type RedisConnection, openCommandClient, openSubscriberClient } from "./redis/redisConnect";
import type { RoomStore } from "./rooms/roomStore";
import { RedisRoomStore } from "./rooms/redisRoomStore";
import { type StateObserver, StateObservers } from "./stateObservers";

/** Options of {@link RedisState}. */
export interface RedisStateOptions {
  /** Where Redis is: one Redis, or a Redis Cluster (`{ cluster: [{ host, port }, …] }`). */
  connection: RedisConnection;
  /**
   * Prefix of every key and pub/sub channel.
   * @default "mesh:"
   */
  keyPrefix?: string;
  /** Receives connection errors; the store keeps reconnecting on its own. */
  onError?: (error: Error) => void;
}

/**
 * The {@link MeshState} of a cluster: every instance on one Redis, or on one Redis Cluster, sees the same
 * connections, rooms and metadata. Its stores share one command connection (with the Lua scripts of
 * redis/scripts.ts); each bus takes a subscriber connection of its own. Keys come from keys.ts; on a Redis Cluster,
 * each key's hash tag places it, and every script touches one slot.
 *
 * While Redis is unreachable, operations reject promptly with `STATE_UNAVAILABLE` instead of waiting for
 * ioredis to reconnect: one started while the connection is down is refused without being sent
 * (`RedisAvailability`), one in flight when the connection drops is failed at once (`maxRetriesPerRequest: 0`
 * flushes it on the first reconnect attempt, so it is never replayed later), and one Redis does not answer fails
 * after {@link REDIS_COMMAND_TIMEOUT_MS}. The connections keep reconnecting on their own.
 */
export class RedisState implements MeshState {
  readonly kind = "redis";
  readonly keys: MeshKeys;
  readonly connections: ConnectionStore;
  readonly rooms: RoomStore;
  readonly channels: ChannelStore;
  readonly records: RecordStore;
  readonly instances: InstanceStore;
  readonly presence: PresenceStore;
  private readonly redis: RedisClient;
  private readonly connection: RedisConnection;
  private readonly availability: RedisAvailability;
  private readonly buses = new Set<RedisBus>();
  private readonly onError: (error: Error) => void;
  private readonly observers = new StateObservers();
  private closed = false;

  constructor(options: RedisStateOptions) {
    this.keys = createKeys(options.keyPrefix ?? "mesh:");
    this.onError = options.onError ?? (() => {});
    this.connection = options.connection;
    this.redis = openCommandClient(options.connection);
    this.redis.on("error", (error: Error) => this.onError(error));
    this.observers.follow(this.redis);
    this.availability = new RedisAvailability(this.redis);
    const commands = new RedisCommands(this.redis, this.keys);
    const guard = <T extends object>(store: T): T => this.availability.guard(store);
    this.connections = guard(new RedisConnectionStore(commands));
    this.rooms = guard(new RedisRoomStore(commands));
    this.channels = guard(new RedisChannelStore(commands));
    this.records = guard(new RedisRecordStore(commands));
    this.instances = guard(new RedisInstanceStore(commands));
    this.presence = guard(new RedisPresenceStore(commands));
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

  probe(timeoutMs: number): Promise<StateProbe> {
    return this.availability.probe(timeoutMs);
  }

  /** Errors and reconnects of the command connection and of every bus's subscriber connection. */
  observe(observer: StateObserver): () => void {
    return this.observers.add(observer);
  }

  createBus(): MeshBus {
    const subscriber = openSubscriberClient(this.connection, this.redis);
    const bus = new RedisBus(this.redis, subscriber, this.availability, this.keys, this.onError, this.observers);
    this.buses.add(bus);
    return bus;
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
}
