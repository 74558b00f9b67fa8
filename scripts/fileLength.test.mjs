import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findLongFiles } from "./fileLength.mjs";

const made = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files) {
  const root = mkdtempSync(join(tmpdir(), "meshwork-length-"));
  made.push(root);
  for (const [path, lines] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), "x;\n".repeat(lines));
  }
  return root;
}

describe("file length check", () => {
  it("flags code files past the limit and leaves built output, dependencies and prose alone", () => {
    const root = tree({
      "packages/a/src/long.ts": 11,
      "packages/a/src/short.ts": 10,
      "packages/a/dist/long.js": 50,
      "packages/a/node_modules/x/long.js": 50,
      "packages/a/README.md": 50,
      "bench/long.mjs": 12,
    });
    expect(findLongFiles(root, ["packages", "bench", "missing"], 10)).toEqual([
      "packages/a/src/long.ts: 11 lines (limit 10)",
      "bench/long.mjs: 12 lines (limit 10)",
    ]);
  });
});
