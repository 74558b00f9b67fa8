// Finds source files past the house limit of about 300 lines: past it a file holds more than one concern and
// should be split by concern (STYLE.md, item 3).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** The most lines a source or test file may have: "about 300", with a little slack for a last doc comment. */
export const MAX_FILE_LINES = 320;

const CODE_FILE = /\.(ts|tsx|mts|js|mjs)$/;
const SKIPPED_DIRS = new Set(["node_modules", "dist", "fixtures", "results"]);

function codeFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir)) {
    if (SKIPPED_DIRS.has(entry) || entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...codeFiles(path));
    else if (CODE_FILE.test(entry)) files.push(path);
  }
  return files;
}

/** Every code file under the given folders of `root` longer than `limit` lines, as readable lines. */
export function findLongFiles(root, folders, limit = MAX_FILE_LINES) {
  const long = [];
  for (const folder of folders) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    for (const file of codeFiles(dir)) {
      const lines = readFileSync(file, "utf8").split("\n").length - 1;
      if (lines > limit) long.push(`${relative(root, file).split("\\").join("/")}: ${lines} lines (limit ${limit})`);
    }
  }
  return long;
}
