import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

/** The Redis every test talks to. */
export const TEST_REDIS_URL = process.env.MESHWORK_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** A key prefix no other test uses. */
export function uniquePrefix(label = "test"): string {
  return `${label}:${randomUUID()}:`;
}

/** Deletes every key under a prefix (SCAN + UNLINK); never touches other prefixes. */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
