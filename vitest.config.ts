import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "packages/react/vitest.react-18.config.ts",
      // The server's multi-instance tests on a Redis Cluster (started by the project's globalSetup).
      "packages/server/vitest.cluster.config.ts",
      "packaging",
      { test: { name: "tooling", include: ["scripts/**/*.test.mjs"] } },
      {
        // The demo app's tests: the docker-compose check and the browser test of `pnpm demo` in both modes.
        root: "apps/demo-chat",
        resolve: { conditions: ["source"] },
        ssr: { resolve: { conditions: ["source"] } },
        test: { name: "demo-chat", include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 90_000 },
      },
    ],
  },
});
