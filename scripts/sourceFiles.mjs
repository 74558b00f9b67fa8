// What the repository checks read: a package's source files (tests excluded) and the modules each imports.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const IMPORT_PATTERN =
  /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;

/** Every source file under `dir`, recursively, leaving out tests (`*.test.ts`, `*.test-d.ts`). */
export function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry) && !/\.test(-d)?\.tsx?$/.test(entry)) files.push(path);
  }
  return files;
}

/** The module specifiers a source text imports or re-exports, type-only imports included. */
export function importsOf(text) {
  const found = [];
  for (const match of text.matchAll(IMPORT_PATTERN)) found.push(match[1] ?? match[2] ?? match[3]);
  return found;
}
