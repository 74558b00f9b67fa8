import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "packages/react/vitest.react-18.config.ts",
      "packaging",
      { test: { name: "tooling", include: ["scripts/**/*.test.mjs"] } },
    ],
  },
});
