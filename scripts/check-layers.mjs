#!/usr/bin/env node
// Fails when a package imports a higher layer or a dependency its layer may not use (see layers.mjs), when an app
// imports a package's internals (see appImports.mjs), when modules of a package import each other in a cycle (see
// importCycles.mjs), when a file is past the house length limit (see fileLength.mjs), or when a test file sits in
// a package's src/ (see testPlacement.mjs).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findAppDeepImports } from "./appImports.mjs";
import { findLongFiles } from "./fileLength.mjs";
import { findImportCycles } from "./importCycles.mjs";
import { findLayerViolations } from "./layers.mjs";
import { findTestsInSource } from "./testPlacement.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const packagesDir = join(root, "packages");
const violations = [...findLayerViolations(packagesDir), ...findAppDeepImports(join(root, "apps"))];
const cycles = findImportCycles(packagesDir);
const misplacedTests = findTestsInSource(packagesDir);
const longFiles = findLongFiles(root, ["packages", "apps", "bench", "scripts", "testing", "packaging"]);
if (violations.length > 0) console.error(`Layer check failed (${violations.length}):\n  ${violations.join("\n  ")}`);
if (cycles.length > 0) console.error(`Import cycle check failed (${cycles.length}):\n  ${cycles.join("\n  ")}`);
if (longFiles.length > 0) console.error(`File length check failed (${longFiles.length}):\n  ${longFiles.join("\n  ")}`);
if (misplacedTests.length > 0) {
  console.error(`Test placement check failed (${misplacedTests.length}):\n  ${misplacedTests.join("\n  ")}`);
}
if (violations.length > 0 || cycles.length > 0 || longFiles.length > 0 || misplacedTests.length > 0) process.exit(1);
console.log(
  "Structure checks passed: layers point down, no import cycles, no file past the length limit, tests outside src.",
);
