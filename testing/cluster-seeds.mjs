// What a test reads to learn whether its project runs on the Redis Cluster of cluster-global-setup.mjs.
import { inject } from "vitest";

/** The addresses of the run's Redis Cluster nodes, or undefined when the project runs on the single Redis. */
export function clusterSeedsOfRun() {
  return inject("redisCluster")?.seeds;
}
