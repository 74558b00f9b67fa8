import { configDefaults, defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "server",
    include: ["test/**/*.test.ts"],
    // Checks of the Redis Cluster the server-cluster project (vitest.cluster.config.ts) runs on.
    exclude: [...configDefaults.exclude, "test/cluster/onRedisCluster.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
