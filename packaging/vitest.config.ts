import { defineProject } from "vitest/config";

/**
 * Checks what users install: the packed tarballs (publint, attw, contents), a fresh npm project using them
 * (imports, types, the README examples, server rendering), and the changeset status. Slow by nature (a build,
 * an npm install), so it packs once for all its tests.
 */
export default defineProject({
  test: {
    name: "packaging",
    include: ["**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
