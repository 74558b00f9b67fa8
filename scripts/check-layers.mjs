#!/usr/bin/env node
// Fails when a package imports a higher layer or a dependency its layer may not use (see layers.mjs).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findLayerViolations } from "./layers.mjs";

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "packages");
const violations = findLayerViolations(packagesDir);
if (violations.length > 0) {
  console.error(`Layer check failed (${violations.length}):\n  ${violations.join("\n  ")}`);
  process.exit(1);
}
console.log("Layer check passed: every package imports only the layers below it.");
