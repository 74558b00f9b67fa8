// Builds the web app with Vite when its output is missing or older than what goes into it: the app's own files
// and the sources of the workspace packages it bundles.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES_DIR = join(APP_DIR, "..", "..", "packages");
const BUILT_PAGE = join(APP_DIR, "dist", "index.html");
const INPUTS = [
  ...["index.html", "vite.config.ts", "package.json", "src", "public"].map((entry) => join(APP_DIR, entry)),
  ...["protocol", "client", "react"].map((name) => join(PACKAGES_DIR, name, "src")),
];

/** Newest modification time under `path` (a file or a folder, recursively); 0 when it does not exist. */
function newestChange(path: string): number {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

/** Whether `dist/` is missing or older than one of the inputs. */
export function webAppIsStale(): boolean {
  const built = newestChange(BUILT_PAGE);
  return built === 0 || INPUTS.some((input) => newestChange(input) > built);
}

/**
 * Runs `vite build` in the app folder (Vite's own bin through node, so no package manager is needed) when the
 * build is stale. Its output is shown only when it fails. @throws Error when the build fails.
 */
export async function buildWebAppIfStale(log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  if (!webAppIsStale()) {
    log("demo: web app is up to date (apps/demo-chat/dist)");
    return;
  }
  log("demo: building the web app (vite build)…");
  const viteBin = join(
    dirname(createRequire(join(APP_DIR, "package.json")).resolve("vite/package.json")),
    "bin/vite.js",
  );
  const child = spawn(process.execPath, [viteBin, "build", "--logLevel", "warn"], {
    cwd: APP_DIR,
    // The production build of React, also when started from a test runner that sets NODE_ENV=test.
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
    ...(signal ? { signal } : {}),
  });
  child.on("error", () => {}); // an abort kills the build; the exit below reports it
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const [code] = await once(child, "exit");
  if (signal?.aborted) throw new Error("vite build stopped");
  if (code !== 0) throw new Error(`vite build failed (exit ${code}):\n${output}`);
}
