import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
// ioredis is a dependency of @meshwork/redis-state, not of the server package, so neither Node nor TypeScript
// resolve it from here by name. Both are pointed at redis-state's own copy: the types by path, the runtime
// through a require rooted at redis-state's package.json. No new dependency, and always the same ioredis the
// server itself runs on.
import type {
  Cluster as ClusterClient,
  Redis as SingleRedisClient,
} from "../../../../redis-state/node_modules/ioredis/built/index.js";
import type { RedisClusterConnection } from "@meshwork/server";
import { clusterSeedsOfRun } from "../../../../../testing/cluster-seeds.mjs";

/** An admin connection: to one Redis, or to a Redis Cluster (its commands are routed by key slot). */
export type RedisClient = SingleRedisClient | ClusterClient;
export type { SingleRedisClient };

const requireFromRedisState = createRequire(new URL("../../../../redis-state/package.json", import.meta.url));
const { Redis, Cluster } = requireFromRedisState("ioredis") as {
  Redis: typeof SingleRedisClient;
  Cluster: typeof ClusterClient;
};

/** The shared Redis of the test run (CI may point elsewhere). */
export const TEST_REDIS_URL = process.env.MESHWORK_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** Where a test's state lives: a Redis URL, or a Redis Cluster's seed nodes (the servers' `redis` option). */
export type TestRedis = string | RedisClusterConnection;

/**
 * The store the tests of this project run on: the run's Redis Cluster in the server-cluster project
 * (testing/cluster-global-setup.mjs), the shared Redis otherwise.
 */
export const TEST_REDIS: TestRedis = ((seeds) => (seeds ? { cluster: seeds } : TEST_REDIS_URL))(clusterSeedsOfRun());

/** A key prefix no other test uses. */
export function uniquePrefix(): string {
  return `test:${randomUUID()}:`;
}

/** `prefix*` as a glob that matches the prefix literally, whatever characters it holds. */
export function globOf(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
}

/** A plain Redis client for assertions (not one a server uses), to a Redis or a Redis Cluster; the caller quits it. */
export function adminClient(url: string): SingleRedisClient;
export function adminClient(target?: TestRedis): RedisClient;
export function adminClient(target: TestRedis = TEST_REDIS): RedisClient {
  // No reconnecting: a command against a Redis that is down fails at once instead of waiting in a queue. (The run's
  // cluster is never taken away; its client waits for the slot map before its first command.)
  let redis: RedisClient;
  if (typeof target === "string") {
    redis = new Redis(target, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  } else {
    const { cluster: seeds, ...options } = target;
    redis = new Cluster(seeds, options);
  }
  // Connection failures surface as rejected commands, where the test sees them; ioredis would otherwise print
  // "Unhandled error event" for a test-owned Redis that a test stopped on purpose.
  redis.on("error", () => {});
  return redis;
}

/**
 * The servers that hold `redis`'s keys and sharded channels: the one Redis, or every master of a cluster (each
 * owns its slots' keys and the sharded channels of those slots).
 */
export async function mastersOf(redis: RedisClient): Promise<SingleRedisClient[]> {
  if (!(redis instanceof Cluster)) return [redis];
  // The first command waits for the slot map, which lists the masters.
  await redis.ping();
  return redis.nodes("master");
}

/** Every key under a prefix on one server, in SCAN order (SCAN, never KEYS). */
async function scanServer(redis: SingleRedisClient, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", globOf(prefix), "COUNT", 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  return keys;
}

/** Every key under a prefix, sorted: on the one Redis, or on every master of a cluster. */
export async function scanKeys(redis: RedisClient, prefix: string): Promise<string[]> {
  const perServer = await Promise.all((await mastersOf(redis)).map((server) => scanServer(server, prefix)));
  return perServer.flat().sort();
}

/** Deletes every key under a prefix (SCAN + UNLINK); never touches other prefixes, never FLUSHDB. */
export async function deletePrefix(redis: RedisClient, prefix: string): Promise<void> {
  for (const server of await mastersOf(redis)) {
    const keys = await scanServer(server, prefix);
    if (redis instanceof Cluster) {
      // One UNLINK of keys of several slots is refused on a cluster node, even when it owns them all.
      if (keys.length > 0) await server.pipeline(keys.map((key) => ["unlink", key])).exec();
    } else {
      for (let i = 0; i < keys.length; i += 500) await server.unlink(...keys.slice(i, i + 500));
    }
  }
}

/**
 * Sharded pub/sub channels under a prefix that have at least one subscriber (`PUBSUB SHARDCHANNELS`: meshwork uses
 * sharded pub/sub), sorted; on a cluster, of every master (each lists the channels of its own slots).
 */
export async function pubsubChannels(redis: RedisClient, prefix: string): Promise<string[]> {
  const perServer = await Promise.all(
    (await mastersOf(redis)).map((server) => server.pubsub("SHARDCHANNELS", globOf(prefix)) as Promise<string[]>),
  );
  return perServer.flat().sort();
}

/**
 * How many connections listen to a sharded pub/sub channel (`PUBSUB SHARDNUMSUB`); on a cluster, summed over the
 * masters, since only the master that owns the channel's slot counts any.
 */
export async function shardSubscribers(redis: RedisClient, channel: string): Promise<number> {
  const counts = await Promise.all(
    (await mastersOf(redis)).map(async (server) => {
      const [, count] = (await server.pubsub("SHARDNUMSUB", channel)) as [string, number];
      return Number(count);
    }),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** Calls per command since the server started, from INFO commandstats; on a cluster, summed over the masters. */
export async function commandCalls(redis: RedisClient): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const server of await mastersOf(redis)) {
    const info = await server.info("commandstats");
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      calls.set(match[1]!, (calls.get(match[1]!) ?? 0) + Number(match[2]));
    }
  }
  return calls;
}

/** Commands run between two {@link commandCalls} snapshots, without the INFO calls that took the snapshots. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const [command, calls] of after) {
    const added = calls - (before.get(command) ?? 0);
    if (added > 0 && command !== "info") diff[command] = added;
  }
  return diff;
}
