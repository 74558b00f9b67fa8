import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "redis-state",
    include: ["test/**/*.test.ts"],
    // One Redis Cluster for the run: the contract suites run on it too (test/contract/implementations.ts).
    globalSetup: ["../../testing/cluster-global-setup.mjs"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
