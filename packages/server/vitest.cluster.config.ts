import { defineProject } from "vitest/config";

// The server's multi-instance tests again, unchanged, on a Redis Cluster (3 masters, started once for the project
// by testing/cluster-global-setup.mjs): their support code (test/cluster/support) gives every server and admin
// client the cluster when the project provides one. Left out: the tests that need a Redis of their own to stop,
// restart or count commands on (see each file's privateRedisServer), which a shared cluster cannot stand in for.
export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "server-cluster",
    include: [
      "test/cluster/onRedisCluster.test.ts",
      "test/cluster/rooms.test.ts",
      "test/cluster/broadcast.test.ts",
      "test/cluster/seedMetadata.test.ts",
      "test/cluster/subscriptions.test.ts",
      "test/cluster/presence.test.ts",
      "test/cluster/presenceMembers.test.ts",
      "test/cluster/presenceClient.test.ts",
      "test/cluster/presenceCrash.test.ts",
      "test/cluster/crash.test.ts",
      "test/channels/channelCluster.test.ts",
      "test/channels/channelRecovery.test.ts",
      "test/channels/channelSince.test.ts",
      "test/channels/channelSubscriptions.test.ts",
      "test/records/recordConcurrency.test.ts",
      "test/records/recordClient.test.ts",
    ],
    globalSetup: ["../../testing/cluster-global-setup.mjs"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
