#!/usr/bin/env node
// Fails when a package imports a higher layer or a dependency its layer may not use (see layers.mjs), or when
// modules of a package import each other in a cycle (see importCycles.mjs).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findImportCycles } from "./importCycles.mjs";
import { findLayerViolations } from "./layers.mjs";

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "packages");
const violations = findLayerViolations(packagesDir);
const cycles = findImportCycles(packagesDir);
if (violations.length > 0) console.error(`Layer check failed (${violations.length}):\n  ${violations.join("\n  ")}`);
if (cycles.length > 0) console.error(`Import cycle check failed (${cycles.length}):\n  ${cycles.join("\n  ")}`);
if (violations.length > 0 || cycles.length > 0) process.exit(1);
console.log("Layer check passed: every package imports only the layers below it, and no modules import each other in a cycle.");
