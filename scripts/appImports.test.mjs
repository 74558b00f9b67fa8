import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findAppDeepImports } from "./appImports.mjs";

const fixtures = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures");

describe("app import check", () => {
  it("flags imports of package internals and relative imports that leave the app", () => {
    expect(findAppDeepImports(join(fixtures, "apps"))).toEqual([
      'bad/src/main.ts: imports "@meshwork/client/src/meshClient", a package internal (use the package root)',
      'bad/src/main.ts: relative import "../../../../packages/react/src/useMesh" leaves the app',
    ]);
  });

  it("passes on the real apps", () => {
    expect(findAppDeepImports(join(fixtures, "..", "..", "apps"))).toEqual([]);
  });
});
