// What ran the benchmark (printed at the top of every report), how busy the machine was, and the clock every
// process shares.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

function git(cwd, args) {
  return execFileSync("git", args, { cwd, timeout: 5_000, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
}

function gitRevision(cwd) {
  try {
    const rev = git(cwd, ["rev-parse", "--short", "HEAD"]);
    return git(cwd, ["status", "--porcelain"]) ? `${rev} (with uncommitted changes)` : rev;
  } catch {
    return "none (no commit yet)";
  }
}

/** The command as the user typed it, as far as it can be told from inside. */
function invokingCommand() {
  const agent = process.env.npm_config_user_agent ?? "";
  const script = process.env.npm_lifecycle_event;
  if (script && agent.startsWith("pnpm")) return `pnpm ${script}  (${process.env.npm_lifecycle_script ?? ""})`;
  if (script && agent.startsWith("npm")) return `npm run ${script}`;
  return ["node", ...process.argv.slice(1).map((a) => a.replace(`${process.cwd()}/`, ""))].join(" ");
}

/** CPU model, cores, memory, Node, OS, command, git revision and date. */
export function describeMachine(repoRoot) {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    command: invokingCommand(),
    revision: gitRevision(repoRoot),
    date: new Date().toISOString(),
  };
}

/** Busy and interrupt CPU time of all cores so far, in seconds (Linux /proc/stat; zeros elsewhere). */
export function machineCpu() {
  try {
    // /proc/stat counts softirq and steal too, which os.cpus() leaves out.
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const hz = 100; // USER_HZ: 100 on every Linux architecture Node supports.
    // Interrupt time (mostly loopback TCP processing here) is not charged to any process.
    return { busyS: (user + nice + system + irq + softirq + steal) / hz, irqS: (irq + softirq) / hz };
  } catch {
    return { busyS: 0, irqS: 0 };
  }
}

/** Busy seconds of the machine between two `machineCpu()` readings, and those spent in interrupts. */
export function busyBetween(before, after) {
  return { busyS: after.busyS - before.busyS, irqS: after.irqS - before.irqS };
}

/**
 * Milliseconds on CLOCK_MONOTONIC (what process.hrtime reads on Linux), which every process on the machine
 * shares: a publisher stamps a message and a client in another process subtracts the stamp from its own reading,
 * publish-to-deliver latency without clock skew.
 */
export function sharedNowMs() {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
