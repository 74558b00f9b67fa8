#!/usr/bin/env node
// Runs `changeset status`: fails when packages changed since the base branch without a changeset. Changesets
// compares with the local `main` (the config's baseBranch). A clone whose local branches lack `main` (a clone of
// another branch, a CI checkout) still has `origin/main`, which is then passed as `--since`.
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function refExists(ref) {
  try {
    execFileSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: root, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const base = ["main", "origin/main"].find(refExists);
if (base === undefined) {
  console.error("changeset status needs the main branch (or origin/main) to compare with; neither exists here.");
  process.exit(1);
}
const args = base === "main" ? ["status"] : ["status", `--since=${base}`];
const changeset = join(root, "node_modules", ".bin", "changeset");
const result = spawnSync(changeset, args, { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
