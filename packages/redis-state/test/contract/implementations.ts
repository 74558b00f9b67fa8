import { randomUUID } from "node:crypto";
import { afterAll, afterEach } from "vitest";
import { MemoryState, type MeshState, type RedisConnection, RedisState } from "../../src/index";
import { TEST_CLUSTER_SEEDS, TEST_REDIS_URL, deleteClusterPrefix, deletePrefix, uniquePrefix } from "../redisSupport";

/**
 * A way to open a fresh, isolated state: its own key prefix, in memory or on Redis. Given a prefix, it opens another
 * state on the same store, as a second instance of a cluster would.
 */
export type StateFactory = (keyPrefix?: string) => Promise<MeshState>;

const prefixes: string[] = [];
const clusterPrefixes: string[] = [];

/** A RedisState on `connection` under `keyPrefix`, once it is ready. */
async function openRedisState(connection: RedisConnection, keyPrefix: string): Promise<MeshState> {
  const state = new RedisState({ connection, keyPrefix });
  await state.ready();
  return state;
}

/**
 * Every implementation the store contracts run against. Each contract file runs `describe.each` over these, so
 * one suite checks the memory, the Redis and (when the run has one) the Redis Cluster implementation of each store
 * alike.
 */
export const IMPLEMENTATIONS: Array<[string, StateFactory]> = [
  ["memory", async (keyPrefix = `test:${randomUUID()}:`) => MemoryState.shared(keyPrefix)],
  [
    "redis",
    async (keyPrefix = uniquePrefix()) => {
      prefixes.push(keyPrefix);
      return openRedisState(TEST_REDIS_URL, keyPrefix);
    },
  ],
  ...clusterImplementation(TEST_CLUSTER_SEEDS),
];

/** The "cluster" implementation: a RedisState on the run's Redis Cluster; none when the run has no cluster. */
function clusterImplementation(seeds: typeof TEST_CLUSTER_SEEDS): Array<[string, StateFactory]> {
  if (!seeds) return [];
  return [
    [
      "cluster",
      async (keyPrefix = uniquePrefix()) => {
        clusterPrefixes.push(keyPrefix);
        return openRedisState({ cluster: seeds }, keyPrefix);
      },
    ],
  ];
}

/**
 * Opens states for the tests of one `describe` and closes them after each test; deletes the Redis keys they
 * wrote after the file.
 */
export function openStates(createState: StateFactory): (keyPrefix?: string) => Promise<MeshState> {
  const opened: MeshState[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((state) => state.close()));
  });
  afterAll(async () => {
    await Promise.all(prefixes.splice(0).map(deletePrefix));
    const seeds = TEST_CLUSTER_SEEDS;
    if (seeds) await Promise.all(clusterPrefixes.splice(0).map((prefix) => deleteClusterPrefix(seeds, prefix)));
  });
  return async (keyPrefix) => {
    const state = await createState(keyPrefix);
    opened.push(state);
    return state;
  };
}

/** Polls a condition until it holds, failing after a deadline. */
export async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
