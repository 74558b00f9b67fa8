// The system Chromium, driven through playwright-core. No browser is ever downloaded: a missing Chromium is
// installed from the distribution's packages when the tests run as root, and otherwise the tests fail saying so.
import { execFileSync } from "node:child_process";
import { chromium, type Browser } from "playwright-core";

function findChromium(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

function installChromium(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "the demo's browser test needs Chromium (`chromium` on PATH); install it, e.g. `sudo apt-get install -y chromium`",
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: "ignore", env });
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "ignore", env });
}

/** The path of the system Chromium, installing it first where that is possible. */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  installChromium();
  const installed = findChromium();
  if (!installed) throw new Error("`apt-get install chromium` ran, but `chromium` is still not on PATH");
  return installed;
}

/** A headless Chromium with a fresh, temporary profile (Playwright makes one per launch and removes it). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureChromium(),
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    timeout: 30_000,
  });
}
