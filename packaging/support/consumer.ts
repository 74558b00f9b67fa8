import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type RunResult, run, runOk } from "./exec";
import { rootBin } from "./workspace";

/** What the consumer installs from the registry beside the tarballs: zod for payload schemas, React for the react package, and types. */
const REGISTRY_PACKAGES = [
  "zod@^4",
  "react@^19",
  "react-dom@^19",
  "@types/react@^19",
  "@types/react-dom@^19",
  "@types/node@^20",
];

/**
 * A TypeScript user's tsconfig: Node's own module resolution (`nodenext`), so types come through the packages'
 * `exports` as a Node user gets them. `skipLibCheck` as most projects set it: ioredis's own declarations import an
 * untyped module; that a type meshwork exposes resolves is checked in typedUse.ts instead.
 */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2023", "DOM"],
    types: ["node"],
    jsx: "react-jsx",
    strict: true,
    skipLibCheck: true,
    rootDir: "src",
    outDir: "out",
  },
  include: ["src"],
};

/** The environment without the variables pnpm sets for its scripts, so npm runs as in a fresh shell. */
function plainEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_(config|package|lifecycle)_/i.test(key)),
  );
}

/** An empty npm project outside the workspace that installs the packed tarballs as a user would. */
export class ConsumerProject {
  constructor(readonly dir: string) {}

  /** Creates the project and `npm install`s the tarballs and the registry packages it needs. */
  async install(tarballs: readonly string[]): Promise<void> {
    mkdirSync(join(this.dir, "src"), { recursive: true });
    this.write(
      "package.json",
      `${JSON.stringify({ name: "packed-consumer", private: true, type: "module" }, null, 2)}\n`,
    );
    this.write("tsconfig.json", `${JSON.stringify(TSCONFIG, null, 2)}\n`);
    const flags = ["--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"];
    await runOk("npm", ["install", ...flags, ...tarballs, ...REGISTRY_PACKAGES], {
      cwd: this.dir,
      timeoutMs: 120_000,
      env: plainEnv(),
    });
  }

  /** Writes a file, relative to the project. */
  write(path: string, text: string): void {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), text);
  }

  /** Copies a file into the project. */
  copy(from: string, to: string): void {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    copyFileSync(from, join(this.dir, to));
  }

  /** Type-checks `src/` against the installed packages' types and emits it to `out/`. */
  compile(): Promise<RunResult> {
    return run(rootBin("tsc"), ["-p", "tsconfig.json"], { cwd: this.dir, timeoutMs: 60_000 });
  }

  /** Runs a compiled module (`out/<name>.js`) with Node, bounded in time. */
  runModule(name: string, timeoutMs = 20_000): Promise<RunResult> {
    return run(process.execPath, [join("out", `${name}.js`)], { cwd: this.dir, timeoutMs, env: plainEnv() });
  }

  /** Runs an ES module given as text, from the project's folder, so its imports resolve there. */
  evaluate(code: string, timeoutMs = 20_000): Promise<RunResult> {
    return run(process.execPath, ["--input-type=module", "--eval", code], {
      cwd: this.dir,
      timeoutMs,
      env: plainEnv(),
    });
  }
}
