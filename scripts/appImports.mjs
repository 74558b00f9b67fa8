// Apps (apps/*) use the packages as their users do: through each package's root entry, never its internals.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { importsOf } from "./sourceFiles.mjs";

/** Folders of an app that hold no source of its own. */
const SKIPPED = new Set(["node_modules", "dist", "coverage"]);

/** Every source file of an app, its tests included (they too should use only public entries). */
function appFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir)) {
    if (SKIPPED.has(entry) || entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...appFiles(path));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry)) files.push(path);
  }
  return files;
}

/** Every import in `appsDir/<app>` that reaches into a package past its root, or leaves the app by a relative path. */
export function findAppDeepImports(appsDir) {
  const violations = [];
  let apps;
  try {
    apps = readdirSync(appsDir);
  } catch {
    return violations;
  }
  for (const app of apps) {
    const appDir = join(appsDir, app);
    if (!statSync(appDir).isDirectory()) continue;
    for (const file of appFiles(appDir)) {
      const fileKey = relative(appsDir, file).split("\\").join("/");
      for (const specifier of importsOf(readFileSync(file, "utf8"))) {
        if (specifier.startsWith(".")) {
          if (relative(appDir, join(dirname(file), specifier)).startsWith("..")) {
            violations.push(`${fileKey}: relative import "${specifier}" leaves the app`);
          }
        } else if (/^@meshwork\/[^/]+\/./.test(specifier)) {
          violations.push(`${fileKey}: imports "${specifier}", a package internal (use the package root)`);
        }
      }
    }
  }
  return violations;
}
