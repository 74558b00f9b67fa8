// What ran the benchmark, printed at the top of every report.
import { execFileSync } from "node:child_process";
import os from "node:os";

function gitRevision(cwd) {
  try {
    const rev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, timeout: 5_000, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd, timeout: 5_000, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    return dirty ? `${rev} (with uncommitted changes)` : rev;
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
