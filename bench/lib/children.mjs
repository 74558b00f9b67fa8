// Parent side of the child processes: fork, call a method over IPC with a timeout, stop, and kill every child
// still alive (by its pid) when the orchestrator exits, fails or is interrupted.
import { fork } from "node:child_process";

const live = new Set();
process.on("exit", () => {
  for (const child of live) child.kill();
});
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping children\n`);
    process.exit(code);
  });
}

/** A forked Node process that answers `call(method, params)` (see ipc.mjs). */
export class Child {
  /**
   * @param {string} name shown in errors and verbose output
   * @param {string} file entry module
   * @param {{ execArgv?: string[], env?: Record<string,string>, verbose?: boolean }} [options]
   */
  constructor(name, file, { execArgv = [], env = {}, verbose = false } = {}) {
    this.name = name;
    this.seq = 0;
    this.pending = new Map();
    this.tail = "";
    // Structured clone ("advanced"), so typed arrays (latency samples) cross without JSON.
    const stdio = ["ignore", "pipe", "pipe", "ipc"];
    this.proc = fork(file, [], { execArgv, env: { ...process.env, ...env }, stdio, serialization: "advanced" });
    this.pid = this.proc.pid;
    live.add(this);
    const onOutput = (chunk) => {
      const text = chunk.toString();
      this.tail = (this.tail + text).slice(-16_384);
      if (verbose) for (const line of text.split("\n").filter(Boolean)) process.stderr.write(`  [${name}] ${line}\n`);
    };
    this.proc.stdout.on("data", onOutput);
    this.proc.stderr.on("data", onOutput);
    this.proc.on("message", (msg) => {
      const entry = this.pending.get(msg?.seq);
      if (!entry) return;
      this.pending.delete(msg.seq);
      clearTimeout(entry.timer);
      if (msg.ok) entry.resolve(msg.value);
      else entry.reject(new Error(`${name}: ${entry.method} failed: ${msg.error}`));
    });
    this.proc.on("error", (err) => process.stderr.write(`bench: ${name}: ${err.message}\n`));
    this.exited = new Promise((resolve) => {
      this.proc.on("exit", (code, signal) => {
        live.delete(this);
        this.exitInfo = { code, signal };
        for (const entry of this.pending.values()) {
          clearTimeout(entry.timer);
          entry.reject(new Error(`${name} exited (${this.why()}) during ${entry.method}${this.outputHint()}`));
        }
        this.pending.clear();
        resolve(this.exitInfo);
      });
    });
  }

  why() {
    return this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `code ${this.exitInfo.code}`;
  }

  outputHint() {
    const text = this.tail.trim();
    return text ? `\n--- ${this.name} output (tail) ---\n${text}\n---` : "";
  }

  /** Calls `method` in the child; rejects on error, on the child's exit, or after `timeoutMs`. */
  call(method, params = {}, timeoutMs = 60_000) {
    if (this.exitInfo) return Promise.reject(new Error(`${this.name} is not running (${method})${this.outputHint()}`));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const fail = (why) => {
        this.pending.delete(seq);
        reject(new Error(`${this.name}: ${why}`));
      };
      const timer = setTimeout(() => fail(`${method} timed out after ${timeoutMs} ms${this.outputHint()}`), timeoutMs);
      this.pending.set(seq, { resolve, reject, timer, method });
      this.proc.send({ seq, method, params }, (err) => {
        if (!err || !this.pending.has(seq)) return;
        clearTimeout(timer);
        fail(`cannot send ${method}: ${err.message}`);
      });
    });
  }

  /** Asks the child to shut down (it exits by itself, writing any --cpu-prof), then kills it if it lingers. */
  async stop(timeoutMs = 10_000) {
    if (this.exitInfo) return;
    await this.call("shutdown", {}, timeoutMs).catch(() => {});
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills the process by its pid; safe to call twice. */
  kill() {
    if (this.exitInfo) return;
    try {
      process.kill(this.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Forks a child of the orchestrator (`ctx`), bounded in lifetime by `ctx.childMaxMs`. */
export function forkChild(ctx, name, file, execArgv = []) {
  return new Child(name, file, { execArgv, env: { BENCH_CHILD_MAX_MS: String(ctx.childMaxMs) }, verbose: ctx.config.verbose });
}

/** Stops children in parallel; never throws. */
export async function stopAll(children, timeoutMs) {
  await Promise.all(children.filter(Boolean).map((c) => c.stop(timeoutMs).catch(() => c.kill())));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sleeps `ms`, but rejects as soon as one of `children` exits: a crash mid-window fails fast. */
export function sleepWatching(ms, children) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    for (const child of children.filter(Boolean)) {
      child.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${child.name} exited (${child.why()}) during the run${child.outputHint()}`));
      });
    }
  });
}
