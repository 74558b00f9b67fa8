// The package layering of SPEC.md as data, and a checker that finds every import crossing it.
// Layers only point down: protocol ← redis-state ← server; protocol ← client ← react.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { importsOf, sourceFiles } from "./sourceFiles.mjs";

/** For each package: the packages it may import. Node built-ins are allowed where `node` is true. */
export const ALLOWED_IMPORTS = {
  protocol: { packages: ["zod"], node: false },
  "redis-state": { packages: ["@meshwork/protocol", "ioredis"], node: true },
  server: {
    packages: ["@meshwork/protocol", "@meshwork/redis-state", "ws", "rfc6902", "zod", "prom-client"],
    node: true,
  },
  client: { packages: ["@meshwork/protocol", "rfc6902"], node: false },
  react: { packages: ["@meshwork/client", "react"], node: false },
};

/**
 * Files allowed one extra import: the client's Node entry is the only place that may load `ws`,
 * so the browser build of the client never pulls it in.
 */
export const FILE_EXCEPTIONS = {
  "client/src/node.ts": ["ws"],
};

function packageNameOf(specifier) {
  if (specifier.startsWith("@")) return specifier.split("/").slice(0, 2).join("/");
  return specifier.split("/")[0];
}

/** Every import in `packagesDir/<name>/src` that its layer does not allow, as readable lines. */
export function findLayerViolations(packagesDir) {
  const violations = [];
  for (const [name, allowed] of Object.entries(ALLOWED_IMPORTS)) {
    const srcDir = join(packagesDir, name, "src");
    let files;
    try {
      files = sourceFiles(srcDir);
    } catch {
      continue;
    }
    for (const file of files) {
      const fileKey = relative(packagesDir, file).split("\\").join("/");
      const extra = FILE_EXCEPTIONS[fileKey] ?? [];
      for (const specifier of importsOf(readFileSync(file, "utf8"))) {
        if (specifier.startsWith(".")) {
          const target = relative(srcDir, join(file, "..", specifier));
          if (target.startsWith("..")) violations.push(`${fileKey}: relative import "${specifier}" leaves the package`);
          continue;
        }
        if (specifier.startsWith("node:")) {
          if (!allowed.node) violations.push(`${fileKey}: "${specifier}" (package ${name} must run in browsers)`);
          continue;
        }
        const pkg = packageNameOf(specifier);
        if (!allowed.packages.includes(pkg) && !extra.includes(pkg)) {
          violations.push(`${fileKey}: imports "${specifier}", which layer "${name}" may not use`);
        }
      }
    }
  }
  return violations;
}
