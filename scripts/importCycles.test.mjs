import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findImportCycles } from "./importCycles.mjs";

const fixtures = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures");

describe("import cycle check", () => {
  it("flags a cycle made of type-only imports across folders, and nothing that merely imports into it", () => {
    expect(findImportCycles(join(fixtures, "cycle"))).toEqual([
      "import cycle: server/src/parts/context.ts → server/src/server.ts → server/src/parts/context.ts",
    ]);
  });

  it("finds none where imports only point one way", () => {
    expect(findImportCycles(join(fixtures, "good"))).toEqual([]);
  });
});
