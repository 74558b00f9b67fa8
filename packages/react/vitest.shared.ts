import type { ViteUserConfig } from "vitest/config";

/** What both React projects share: the package's sources, jsdom, and real servers that need a little time. */
export const reactProjectBase = {
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.ts?(x)"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
} satisfies ViteUserConfig;
