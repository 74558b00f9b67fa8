// The orchestrator's side of its child processes: fork, call over IPC with a timeout, stop, and kill by pid every
// process still alive (children and redis-servers) when the orchestrator exits, fails or is interrupted.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const live = new Set();
process.on("exit", () => {
  for (const pid of live) killPid(pid);
});
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
]) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping children\n`);
    process.exit(code);
  });
}

/** SIGKILLs `pid`; a process already gone is fine. */
export function killPid(pid) {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Has `pid` killed when the orchestrator exits; returns the function that forgets it. */
export function killOnExit(pid) {
  live.add(pid);
  return () => live.delete(pid);
}

/** A forked Node process answering `call(method, params)` (lib/ipc.mjs); it exits by itself past ctx.childMaxMs. */
class Child {
  constructor(ctx, name, file, execArgv) {
    this.name = name;
    this.seq = 0;
    this.pending = new Map();
    this.tail = "";
    const env = { ...process.env, BENCH_CHILD_MAX_MS: String(ctx.childMaxMs) };
    // Structured clone ("advanced"), so arrays of latency samples cross without JSON.
    this.proc = fork(file, [], { execArgv, env, stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "advanced" });
    this.pid = this.proc.pid;
    const forget = killOnExit(this.pid);
    const onOutput = (chunk) => {
      this.tail = (this.tail + chunk.toString()).slice(-16_384);
    };
    this.proc.stdout.on("data", onOutput);
    this.proc.stderr.on("data", onOutput);
    this.proc.on("message", ({ seq, ok, value, error }) => {
      const method = this.pending.get(seq)?.method;
      if (method) this.settle(seq, ok ? null : new Error(`${name}: ${method} failed: ${error}`), value);
    });
    this.proc.on("error", (err) => process.stderr.write(`bench: ${name}: ${err.message}\n`));
    this.exited = new Promise((resolve) => {
      this.proc.on("exit", (code, signal) => {
        forget();
        this.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        for (const [seq, { method }] of this.pending) {
          this.settle(seq, this.failure(`exited (${this.exitInfo}) during ${method}`));
        }
        resolve();
      });
    });
  }

  /** An error naming this child, with the tail of its output. */
  failure(what) {
    const tail = this.tail.trim();
    return new Error(`${this.name} ${what}${tail ? `\n--- ${this.name} output (tail) ---\n${tail}\n---` : ""}`);
  }

  settle(seq, error, value) {
    const entry = this.pending.get(seq);
    this.pending.delete(seq);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(value);
  }

  /** Calls `method` in the child; rejects on error, on the child's exit, or after `timeoutMs`. */
  call(method, params, timeoutMs) {
    if (this.exitInfo) return Promise.reject(this.failure(`is not running (${method})`));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timedOut = () => this.settle(seq, this.failure(`${method} timed out after ${timeoutMs} ms`));
      this.pending.set(seq, { resolve, reject, timer: setTimeout(timedOut, timeoutMs), method });
      this.proc.send({ seq, method, params });
    });
  }

  /** Asks the child to shut down (it exits by itself, writing any --cpu-prof), then kills it if it lingers. */
  async stop(timeoutMs) {
    if (this.exitInfo) return;
    await this.call("shutdown", {}, timeoutMs).catch(() => {});
    const timer = setTimeout(() => killPid(this.pid), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

const entry = (file) => fileURLToPath(new URL(file, import.meta.url));

/** A server child (lib/serverProcess.mjs) with the configured extra node flags. */
export const forkServer = (ctx, name, execArgv = []) =>
  new Child(ctx, `server:${name}`, entry("./serverProcess.mjs"), [...execArgv, ...ctx.config.serverNodeArgs]);

/** A load child: lib/loadProcess.mjs, or another child script of lib/ (`file`). */
export const forkLoad = (ctx, name, file = "./loadProcess.mjs") => new Child(ctx, `load:${name}`, entry(file), []);

/** Stops children in parallel, each killed if it does not stop; never throws. */
export async function stopAll(children, timeoutMs) {
  await Promise.all(children.filter(Boolean).map((c) => c.stop(timeoutMs).catch(() => killPid(c.pid))));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
