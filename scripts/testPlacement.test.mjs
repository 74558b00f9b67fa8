import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findTestsInSource } from "./testPlacement.mjs";

const made = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(paths) {
  const root = mkdtempSync(join(tmpdir(), "meshwork-placement-"));
  made.push(root);
  for (const path of paths) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), "export {};\n");
  }
  return root;
}

describe("test placement check", () => {
  it("flags test files under a package's src and accepts those under test", () => {
    const root = tree([
      "a/src/deep/thing.test.ts",
      "a/src/types.test-d.ts",
      "a/src/thing.ts",
      "a/test/unit/thing.test.ts",
      "b/src/view.spec.tsx",
      "c/README.md",
    ]);
    expect(findTestsInSource(root).sort()).toEqual([
      "a/src/deep/thing.test.ts: tests belong in a/test/",
      "a/src/types.test-d.ts: tests belong in a/test/",
      "b/src/view.spec.tsx: tests belong in b/test/",
    ]);
  });
});
