import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findLayerViolations } from "./layers.mjs";

const fixtures = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures");

describe("layer check", () => {
  it("flags imports of higher layers, of forbidden dependencies and of node built-ins in browser packages", () => {
    const violations = findLayerViolations(join(fixtures, "bad"));
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringContaining('client/src/index.ts: imports "@meshwork/server"'),
        expect.stringContaining('client/src/index.ts: imports "ioredis"'),
        expect.stringContaining('client/src/index.ts: imports "ws"'),
        expect.stringContaining('server/src/index.ts: imports "@meshwork/client"'),
        expect.stringContaining("server/src/index.ts: relative import"),
        expect.stringContaining('protocol/src/index.ts: "node:crypto"'),
      ]),
    );
    expect(violations).toHaveLength(6);
  });

  it("accepts allowed edges, subpath imports and ws in the client's node entry", () => {
    expect(findLayerViolations(join(fixtures, "good"))).toEqual([]);
  });

  it("passes on the real packages", () => {
    expect(findLayerViolations(join(fixtures, "..", "..", "packages"))).toEqual([]);
  });
});
