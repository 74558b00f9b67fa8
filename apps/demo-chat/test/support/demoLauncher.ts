// Runs the demo the way `pnpm demo` does (the root package.json's `demo` command, with node as this process's
// node) and follows what it prints: its ready lines, and its exit.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";
import type { InstanceName } from "../../server/demoServer";
import { parseReadyLine, type ReadyInfo } from "../../server/readyLine";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** The root `demo` script's arguments after `node`; the test runs exactly what users run. */
function demoCommandArgs(): string[] {
  const script: string = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, "utf8")).scripts.demo;
  const [command, ...args] = script.trim().split(/\s+/);
  if (command !== "node") throw new Error(`the root "demo" script should start with node, got: ${script}`);
  return args;
}

/** A running launcher: its output lines, the instances it reported ready, and its controls. */
export class DemoLauncher {
  readonly lines: string[] = [];
  readonly ready: ReadyInfo[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, demoCommandArgs(), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.exited = once(this.child, "exit").then(([code, signal]) => ({ code, signal }));
    const onLine = (line: string) => {
      this.lines.push(line);
      const info = parseReadyLine(line);
      if (info) this.ready.push(info);
    };
    createInterface({ input: this.child.stdout! }).on("line", onLine);
    createInterface({ input: this.child.stderr! }).on("line", onLine);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The output so far, for failure messages. */
  get output(): string {
    return this.lines.join("\n");
  }

  /** Waits for instance `name`'s ready line number `count` (1 for the first start, 2 after one restart, …). */
  async waitForReady(name: InstanceName, count = 1, timeout = 60_000): Promise<ReadyInfo> {
    return vi.waitFor(
      () => {
        if (!this.isRunning) throw new Error(`the demo exited:\n${this.output}`);
        const found = this.ready.filter((info) => info.instance === name);
        if (found.length < count) throw new Error(`instance ${name} not ready (${count}) yet:\n${this.output}`);
        return found[count - 1]!;
      },
      { timeout, interval: 50 },
    );
  }

  /** Types one line into the launcher's standard input. */
  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Sends SIGINT, as Ctrl-C does, and waits for the exit. */
  async interrupt(timeout = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill("SIGINT");
    return vi.waitFor(
      async () => {
        if (this.isRunning) throw new Error(`the demo is still running after SIGINT:\n${this.output}`);
        return this.exited;
      },
      { timeout, interval: 50 },
    );
  }

  /** Last resort after a failed test: kills the launcher and every instance it reported, by pid. */
  kill(): void {
    for (const pid of new Set([this.pid, ...this.ready.map((info) => info.pid)])) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}
