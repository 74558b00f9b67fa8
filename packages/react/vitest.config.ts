import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "react",
    environment: "jsdom",
    include: ["src/**/*.test.ts?(x)", "test/**/*.test.ts?(x)"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
