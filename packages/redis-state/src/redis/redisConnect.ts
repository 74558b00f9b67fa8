import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { RedisClient } from "./redisCommands";

/**
 * Milliseconds a command may wait for Redis's answer before it rejects with `STATE_UNAVAILABLE` (ioredis
 * `commandTimeout`): bounds an operation on a connection that stopped answering without being closed. A
 * `commandTimeout` in the connection options replaces it. meshwork sends no blocking commands, so no command
 * legitimately waits this long.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/**
 * A Redis Cluster: its seed nodes (`{ host, port }` or `"host:port"`; one reachable node is enough, the others are
 * discovered) and any ioredis `Cluster` options beside them.
 */
export interface RedisClusterConnection extends ClusterOptions {
  cluster: ClusterNode[];
}

/** How to reach Redis: a `redis://` URL, ioredis options of one Redis, or a Redis Cluster. */
export type RedisConnection = string | RedisOptions | RedisClusterConnection;

/** Whether a connection option names a Redis Cluster. */
export function isClusterConnection(connection: RedisConnection): connection is RedisClusterConnection {
  return typeof connection === "object" && Array.isArray((connection as RedisClusterConnection).cluster);
}

// In flight when a connection drops, a command fails at once instead of being replayed later (RedisState).
const NODE_DEFAULTS: RedisOptions = { maxRetriesPerRequest: 0, commandTimeout: REDIS_COMMAND_TIMEOUT_MS };

/** The command connection of a state. */
export function openCommandClient(connection: RedisConnection): RedisClient {
  if (isClusterConnection(connection)) {
    const { cluster: nodes, ...options } = connection;
    return new Cluster(nodes, { ...options, redisOptions: { ...NODE_DEFAULTS, ...options.redisOptions } });
  }
  const base: RedisOptions = { ...NODE_DEFAULTS, lazyConnect: false };
  return typeof connection === "string" ? new Redis(connection, base) : new Redis({ ...base, ...connection });
}

/**
 * A connection for one bus to listen on (a subscribed connection runs no other commands). On one Redis it follows
 * no subscription by itself: the bus subscribes its own list again after a reconnect. On a cluster, ioredis keeps a
 * subscriber on each master and moves each topic's subscription to the master that owns its slot when slots move
 * or a replica takes over (`shardedSubscribers`).
 */
export function openSubscriberClient(connection: RedisConnection, commandClient: RedisClient): RedisClient {
  if (isClusterConnection(connection)) {
    const { cluster: nodes, ...options } = connection;
    return new Cluster(nodes, {
      ...options,
      shardedSubscribers: true,
      redisOptions: { ...NODE_DEFAULTS, ...options.redisOptions },
    });
  }
  return (commandClient as Redis).duplicate({ autoResubscribe: false, enableOfflineQueue: true });
}
