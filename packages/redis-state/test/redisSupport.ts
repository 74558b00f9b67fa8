import { randomUUID } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { type ClusterSeed, clusterSeedsOfRun } from "../../../testing/cluster-seeds.mjs";

/** The Redis every test talks to. */
export const TEST_REDIS_URL = process.env.MESHWORK_TEST_REDIS ?? "redis://127.0.0.1:6379";

/**
 * The Redis Cluster the project runs on (testing/cluster-global-setup.mjs, in this package's vitest config), for the
 * contract suites' "cluster" implementation; undefined when the run has none.
 */
export const TEST_CLUSTER_SEEDS: ClusterSeed[] | undefined = clusterSeedsOfRun();

/** A key prefix no other test uses. */
export function uniquePrefix(label = "test"): string {
  return `${label}:${randomUUID()}:`;
}

/** `prefix*` as a SCAN pattern that matches the prefix literally, whatever characters it holds. */
function globOf(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
}

/** Deletes every key under a prefix (SCAN + UNLINK); never touches other prefixes. */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", globOf(prefix), "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/**
 * Deletes every key under a prefix on a Redis Cluster: each master holds its own slots' keys, so each is scanned,
 * and each key is unlinked on its own (one UNLINK of keys of several slots is refused even on one node).
 */
export async function deleteClusterPrefix(seeds: ClusterSeed[], prefix: string): Promise<void> {
  const cluster = new Cluster(seeds);
  try {
    // A first command waits for the slot map, which lists the masters.
    await cluster.ping();
    for (const master of cluster.nodes("master")) {
      let cursor = "0";
      do {
        const [next, keys] = await master.scan(cursor, "MATCH", globOf(prefix), "COUNT", 500);
        cursor = next;
        if (keys.length > 0) await master.pipeline(keys.map((key) => ["unlink", key])).exec();
      } while (cursor !== "0");
    }
  } finally {
    cluster.disconnect();
  }
}
