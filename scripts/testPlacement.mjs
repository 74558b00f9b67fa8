// Tests live in each package's test/ folder, never in src/: src/ is what the build reads, and a test there would
// sit beside shipped code (and run only if a project's include still listed src/).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const TEST_FILE = /\.(test|spec)(-d)?\.[cm]?[jt]sx?$/;

function testsUnder(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...testsUnder(path));
    else if (TEST_FILE.test(entry)) found.push(path);
  }
  return found;
}

/** Every test file under `packagesDir/<package>/src`, as readable lines. */
export function findTestsInSource(packagesDir) {
  const misplaced = [];
  for (const name of readdirSync(packagesDir)) {
    const srcDir = join(packagesDir, name, "src");
    if (!existsSync(srcDir)) continue;
    for (const file of testsUnder(srcDir)) {
      misplaced.push(`${relative(packagesDir, file).split("\\").join("/")}: tests belong in ${name}/test/`);
    }
  }
  return misplaced;
}
