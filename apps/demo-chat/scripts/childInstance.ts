// An instance in a child process of its own (the Redis mode: a realistic two-process cluster).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { InstanceName } from "../server/demoServer";
import { parseReadyLine, type ReadyInfo } from "../server/readyLine";
import type { DemoInstance } from "./demoInstance";

const INSTANCE_MAIN = fileURLToPath(new URL("../server/instanceMain.ts", import.meta.url));
/** How long a child may take to serve. */
const START_TIMEOUT_MS = 30_000;
/** How long a child may take to close gracefully after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 5_000;

/** Callbacks of {@link ChildInstance}. */
export interface ChildInstanceHooks {
  /** A line the child printed, other than its ready line. */
  onOutput(name: InstanceName, line: string, stream: "stdout" | "stderr"): void;
  /** The child ended without being asked to. */
  onUnexpectedExit(name: InstanceName, code: number | null, signal: NodeJS.Signals | null): void;
}

/**
 * Runs `server/instanceMain.ts` in a child with this process's Node flags (the TypeScript loader and the `source`
 * condition) and `env` plus `DEMO_INSTANCE`. The child has an IPC channel only so it notices when this process is
 * gone, however it went, and closes.
 */
export class ChildInstance implements DemoInstance {
  private child: ChildProcess | null = null;

  constructor(
    readonly name: InstanceName,
    private readonly env: NodeJS.ProcessEnv,
    private readonly hooks: ChildInstanceHooks,
  ) {}

  async start(): Promise<ReadyInfo> {
    const child = spawn(process.execPath, [...process.execArgv, INSTANCE_MAIN], {
      env: { ...this.env, DEMO_INSTANCE: this.name },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child = child;
    let served = false;
    const ready = new Promise<ReadyInfo>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`instance ${this.name} did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const info = parseReadyLine(line);
        if (info?.instance === this.name) {
          clearTimeout(timer);
          served = true;
          resolve(info);
        } else this.hooks.onOutput(this.name, line, "stdout");
      });
      createInterface({ input: child.stderr! }).on("line", (line) => this.hooks.onOutput(this.name, line, "stderr"));
      child.once("error", reject);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`instance ${this.name} exited before it was ready (code ${code ?? signal})`));
        if (this.child !== child) return;
        this.child = null;
        if (served) this.hooks.onUnexpectedExit(this.name, code, signal);
      });
    });
    try {
      return await ready;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
