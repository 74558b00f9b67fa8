import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsumerProject } from "./support/consumer";
import { type RunResult, run } from "./support/exec";
import { quickstartProgram } from "./support/quickstart";
import { firstExample } from "./support/readme";
import { type Tarball, buildAndPack } from "./support/tarballs";
import { PACKAGES, type PackageFolder, ROOT, packageDir, rootBin } from "./support/workspace";

// What a user installs: the five packages built, packed once (publishConfig applied, workspace ranges rewritten),
// then installed with npm into an empty project in the OS temp folder, outside the workspace.
let workDir: string;
let tarballs: Record<PackageFolder, Tarball>;
let consumer: ConsumerProject;
/** attw's verdict per package, started as soon as the tarballs exist so that the checks overlap. */
let attwResults: Record<PackageFolder, Promise<RunResult>>;

// ESM-only packages: the `esm-only` profile leaves out CommonJS `require` resolution (node16 from CJS), which
// can only fail for a package that ships no CommonJS; everything else (node16 from ESM, bundler, node10) counts.
function attw(tarball: string): Promise<RunResult> {
  return run(rootBin("attw"), [tarball, "--profile", "esm-only", "--format", "ascii"], {
    cwd: ROOT,
    timeoutMs: 90_000,
  });
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "meshwork-packed-"));
  tarballs = await buildAndPack(join(workDir, "tarballs"));
  attwResults = Object.fromEntries(
    PACKAGES.map((folder) => [folder, attw(tarballs[folder].file)]),
  ) as typeof attwResults;
  consumer = new ConsumerProject(join(workDir, "consumer"));
  await consumer.install(PACKAGES.map((folder) => tarballs[folder].file));
}, 360_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Paths no published package should hold: tests, type tests, specs, fixtures, test folders. */
const TEST_FILE = /(^|\/)(test|tests|__tests__|fixtures?|__fixtures__)\/|\.(test|spec)(-d)?\.[cm]?[jt]sx?$/;

describe.each(PACKAGES)("the packed @meshwork/%s", (folder) => {
  it("holds its build, README and manifest only: no sources, tests or fixtures", () => {
    const { files } = tarballs[folder];
    expect(files.filter((path) => TEST_FILE.test(path))).toEqual([]);
    expect(
      files.filter((path) => !path.startsWith("dist/") && path !== "README.md" && path !== "package.json"),
    ).toEqual([]);
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
  });

  it("publishes exports without the workspace-only source condition and with versions for workspace ranges", () => {
    const manifest = JSON.parse(
      readFileSync(join(consumer.dir, "node_modules", tarballs[folder].name, "package.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(JSON.stringify(manifest.exports)).not.toContain("source");
    expect(JSON.stringify(manifest)).not.toContain("workspace:");
  });

  it("passes publint with no errors, warnings or suggestions", async () => {
    const bytes = readFileSync(tarballs[folder].file);
    const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const { messages, pkg } = await publint({ pack: { tarball }, strict: true });
    expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg)}`)).toEqual([]);
  });

  it("has types that are right for ESM and TypeScript users (attw, esm-only profile)", async () => {
    const result = await attwResults[folder];
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});

describe("a project that installed the tarballs", () => {
  it("imports every package as ESM", async () => {
    const names = PACKAGES.map((folder) => tarballs[folder].name);
    const result = await consumer.evaluate(
      `const names = ${JSON.stringify(names)};\n` +
        "const loaded = {};\n" +
        "for (const name of names) loaded[name] = Object.keys(await import(name)).sort();\n" +
        "console.log(JSON.stringify(loaded));",
    );
    expect(result.code, result.stderr).toBe(0);
    const loaded = JSON.parse(result.stdout) as Record<string, string[]>;
    expect(loaded["@meshwork/protocol"]).toContain("parseClientMessage");
    expect(loaded["@meshwork/redis-state"]).toEqual(expect.arrayContaining(["RedisState", "MemoryState"]));
    expect(loaded["@meshwork/server"]).toContain("MeshServer");
    expect(loaded["@meshwork/client"]).toEqual(expect.arrayContaining(["MeshClient", "Status"]));
    expect(loaded["@meshwork/react"]).toEqual(expect.arrayContaining(["MeshProvider", "useRecord"]));
  });
});

describe("code compiled against the packed types (module nodenext)", () => {
  let compiled: RunResult;

  beforeAll(async () => {
    consumer.copy(join(ROOT, "packaging/consumer/typedUse.ts"), "src/typedUse.ts");
    consumer.copy(join(ROOT, "packaging/consumer/render.tsx"), "src/render.tsx");
    for (const folder of PACKAGES) {
      const example = firstExample(join(packageDir(folder), "README.md"));
      consumer.write(`src/readme/${folder}.${example.lang}`, example.code);
    }
    consumer.write("src/quickstart.ts", quickstartProgram(join(ROOT, "README.md"), `packaging:${randomUUID()}:`));
    compiled = await consumer.compile();
  }, 90_000);

  it("type-checks a typed consumer, the first example of each package README and the root Quickstart", () => {
    expect(compiled.code, `${compiled.stdout}\n${compiled.stderr}`).toBe(0);
  });

  it("runs the root README's Quickstart, server and client, against Redis", async () => {
    const quickstart = await consumer.runModule("quickstart");
    expect(quickstart.code, quickstart.stderr).toBe(0);
    expect(quickstart.stdout.trim().split("\n")).toContain("echo: Hello!");
  });

  it("server-renders a component using hooks inside MeshProvider, without opening a socket", async () => {
    const rendered = await consumer.runModule("render");
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain("offline");
    expect(rendered.stdout).toContain("nobody");
  });

  it("runs the protocol README's example, which needs no server", async () => {
    const result = await consumer.runModule("readme/protocol");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(["echo", "invalid-shape 2", "NOT_FOUND", "stop"]);
  });
});
