import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const srcDir = join(import.meta.dirname, "..", "src");

describe("browser entry", () => {
  it("never imports ws or Node built-ins outside src/node.ts", () => {
    const offenders = readdirSync(srcDir)
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && file !== "node.ts")
      .flatMap((file) => {
        const source = readFileSync(join(srcDir, file), "utf8");
        const imports = [...source.matchAll(/from\s+["']([^"']+)["']/g)].map((match) => match[1] ?? "");
        return imports.filter((name) => name === "ws" || name.startsWith("node:")).map((name) => `${file}: ${name}`);
      });
    expect(offenders).toEqual([]);
  });
});
