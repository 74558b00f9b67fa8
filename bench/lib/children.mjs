// Parent side of the child processes: fork, call a method over IPC with a timeout, stop, and kill
// every child still alive (by its pid) when the orchestrator exits, fails or is interrupted.
import { fork } from "node:child_process";

const live = new Set();
let hooksInstalled = false;

function killAllChildren() {
  for (const child of live) child.kill();
}

function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", killAllChildren);
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ]) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children\n`);
      killAllChildren();
      process.exit(code);
    });
  }
}

const OUTPUT_TAIL_BYTES = 16 * 1024;

/** A forked Node process that answers `call(method, params)` (see ipc.mjs). */
export class Child {
  /**
   * @param {string} name shown in errors and verbose output
   * @param {string} file entry module
   * @param {{ execArgv?: string[], env?: Record<string,string>, verbose?: boolean }} [options]
   */
  constructor(name, file, { execArgv = [], env = {}, verbose = false } = {}) {
    installExitHooks();
    this.name = name;
    this.seq = 0;
    this.pending = new Map();
    this.tail = "";
    this.exitInfo = undefined;
    this.proc = fork(file, [], {
      execArgv,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // Structured clone, so typed arrays (latency samples) cross without JSON.
      serialization: "advanced",
    });
    this.pid = this.proc.pid;
    live.add(this);
    const onOutput = (chunk) => {
      const text = chunk.toString();
      this.tail = (this.tail + text).slice(-OUTPUT_TAIL_BYTES);
      if (verbose) {
        process.stderr.write(
          text
            .split("\n")
            .filter(Boolean)
            .map((l) => `  [${name}] ${l}\n`)
            .join(""),
        );
      }
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
    this.exited = new Promise((resolve) => {
      this.proc.on("exit", (code, signal) => {
        live.delete(this);
        this.exitInfo = { code, signal };
        const why = signal ? `signal ${signal}` : `code ${code}`;
        for (const [, entry] of this.pending) {
          clearTimeout(entry.timer);
          entry.reject(new Error(`${name} exited (${why}) during ${entry.method}${this.outputHint()}`));
        }
        this.pending.clear();
        resolve(this.exitInfo);
      });
    });
    this.proc.on("error", (err) => {
      process.stderr.write(`bench: ${name}: ${err.message}\n`);
    });
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
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`${this.name}: ${method} timed out after ${timeoutMs} ms${this.outputHint()}`));
      }, timeoutMs);
      this.pending.set(seq, { resolve, reject, timer, method });
      this.proc.send({ seq, method, params }, (err) => {
        if (!err || !this.pending.has(seq)) return;
        this.pending.delete(seq);
        clearTimeout(timer);
        reject(new Error(`${this.name}: cannot send ${method}: ${err.message}`));
      });
    });
  }

  /** Asks the child to shut down (it exits by itself, writing any --cpu-prof), then kills it if it lingers. */
  async stop(timeoutMs = 10_000) {
    if (this.exitInfo) return this.exitInfo;
    await this.call("shutdown", {}, timeoutMs).catch(() => {});
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
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
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      resolve();
    }, ms);
    for (const child of children.filter(Boolean)) {
      child.exited.then((info) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const why = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
        reject(new Error(`${child.name} exited (${why}) during the run${child.outputHint()}`));
      });
    }
  });
}
