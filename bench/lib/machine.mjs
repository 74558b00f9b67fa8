// What ran the benchmark (the report's header), how busy the machine was, and the clock every process shares.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

function gitRevision(cwd) {
  const git = (...args) => execFileSync("git", args, { cwd, timeout: 5_000, stdio: ["ignore", "pipe", "ignore"] });
  try {
    const rev = git("rev-parse", "--short", "HEAD").toString().trim();
    return git("status", "--porcelain").toString().trim() ? `${rev} (with uncommitted changes)` : rev;
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

/** The report's header lines: machine, Node, command, BENCH_* overrides, git revision, date. */
export function describeMachine(repoRoot) {
  const cpus = os.cpus();
  const overrides = Object.keys(process.env)
    .filter((k) => k.startsWith("BENCH_"))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  const memory = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
  const system = `${os.type()} ${os.release()} ${os.arch()}`;
  return [
    `machine: ${cpus[0]?.model?.trim() ?? "unknown"}, ${cpus.length} cores, ${memory}, ${system}`,
    `node: ${process.version}`,
    `command: ${invokingCommand()}`,
    `overrides: ${overrides.length ? overrides.join(" ") : "none (defaults)"}`,
    `revision: ${gitRevision(repoRoot)}`,
    `date: ${new Date().toISOString()}`,
  ];
}

/** Busy and interrupt CPU seconds of all cores so far (Linux /proc/stat, which counts softirq and steal too). */
function machineCpu() {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const hz = 100; // USER_HZ: 100 on every Linux architecture Node supports.
    return { busyS: (user + nice + system + irq + softirq + steal) / hz, irqS: (irq + softirq) / hz };
  } catch {
    return { busyS: 0, irqS: 0 };
  }
}

/**
 * Starts measuring the machine; the function returned ends it, with the interrupt seconds (mostly loopback TCP,
 * charged to no process) and the busy seconds of every process but this one, interrupts excluded.
 */
export function machineWindow() {
  const before = machineCpu();
  const self = process.cpuUsage();
  return () => {
    const after = machineCpu();
    const own = process.cpuUsage(self);
    const irqS = after.irqS - before.irqS;
    return { irqS, busyS: after.busyS - before.busyS - irqS - (own.user + own.system) / 1e6 };
  };
}

/**
 * Milliseconds on CLOCK_MONOTONIC (what process.hrtime reads on Linux), which every process on the machine shares:
 * a client subtracts the publisher's stamp from its own reading, latency without clock skew.
 */
export function sharedNowMs() {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
