import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
// ioredis is a dependency of @meshwork/redis-state, not of the server package, so neither Node nor TypeScript
// resolve it from here by name. Both are pointed at redis-state's own copy: the types by path, the runtime
// through a require rooted at redis-state's package.json. No new dependency, and always the same ioredis the
// server itself runs on.
import type { Redis as RedisClient } from "../../../../redis-state/node_modules/ioredis/built/index.js";

export type { RedisClient };

const requireFromRedisState = createRequire(new URL("../../../../redis-state/package.json", import.meta.url));
const { Redis } = requireFromRedisState("ioredis") as { Redis: typeof RedisClient };

/** The shared Redis of the test run (CI may point elsewhere). */
export const TEST_REDIS_URL = process.env.MESHWORK_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** A key prefix no other test uses. */
export function uniquePrefix(): string {
  return `test:${randomUUID()}:`;
}

/** `prefix*` as a glob that matches the prefix literally, whatever characters it holds. */
export function globOf(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
}

/** A plain Redis client for assertions (not one a server uses); the caller quits it. */
export function adminClient(url: string = TEST_REDIS_URL): RedisClient {
  // No reconnecting: a command against a Redis that is down fails at once instead of waiting in a queue.
  const redis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Connection failures surface as rejected commands, where the test sees them; ioredis would otherwise print
  // "Unhandled error event" for a test-owned Redis that a test stopped on purpose.
  redis.on("error", () => {});
  return redis;
}

/** Every key under a prefix, sorted (SCAN, never KEYS). */
export async function scanKeys(redis: RedisClient, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", globOf(prefix), "COUNT", 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  return keys.sort();
}

/** Deletes every key under a prefix (SCAN + UNLINK); never touches other prefixes, never FLUSHDB. */
export async function deletePrefix(redis: RedisClient, prefix: string): Promise<void> {
  const keys = await scanKeys(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
}

/** Pub/sub channels under a prefix that have at least one subscriber on the Redis server (`PUBSUB SHARDCHANNELS`: meshwork uses sharded pub/sub). */
export async function pubsubChannels(redis: RedisClient, prefix: string): Promise<string[]> {
  const channels = (await redis.pubsub("SHARDCHANNELS", globOf(prefix))) as string[];
  return channels.sort();
}

/** Calls per command since the server started, from INFO commandstats. */
export async function commandCalls(redis: RedisClient): Promise<Map<string, number>> {
  const info = await redis.info("commandstats");
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
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
