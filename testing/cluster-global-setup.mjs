// A vitest globalSetup that runs a project's tests on one Redis Cluster: it starts 3 masters (no replicas) before
// the project's first test file, hands their addresses to the tests (`inject("redisCluster")`, read through
// cluster-seeds.mjs) and stops the cluster after the last one. One cluster per run keeps the added time to one
// startup (about 2 s); the tests isolate themselves by key prefix, as on the single Redis.
import { startRedisCluster } from "./redis-cluster.mjs";

/** @param {import("vitest/node").TestProject} project */
export default async function setup(project) {
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
  project.provide("redisCluster", { seeds: cluster.seeds() });
  return () => cluster.stop();
}
