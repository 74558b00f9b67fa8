import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { run } from "./support/exec";
import { ROOT } from "./support/workspace";

function isGitCheckout(): boolean {
  try {
    execFileSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: ROOT, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// Changesets compares with git history; a copy of the sources without it (an unpacked archive) has nothing to check.
describe.skipIf(!isGitCheckout())("changesets", () => {
  it("every package changed since main is covered by a changeset (changeset status)", async () => {
    const result = await run(process.execPath, ["scripts/changeset-status.mjs"], { cwd: ROOT, timeoutMs: 30_000 });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});
