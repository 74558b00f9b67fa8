// What the shutdown check looks at: ports that must be free again and processes that must be gone.
import { readdirSync, readFileSync } from "node:fs";

export { freePort, portIsFree } from "../../../../testing/redis-server.mjs";

/** Whether a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Pids of the processes whose environment holds `NAME=value` exactly (Linux `/proc`; elsewhere none are found).
 * Every process the demo starts inherits the test's unique key prefix, so this finds whatever it left behind.
 */
export function processesWithEnv(name: string, value: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const wanted = `${name}=${value}`;
  return entries.map(Number).filter((pid) => {
    if (pid === process.pid) return false;
    try {
      return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(wanted);
    } catch {
      return false;
    }
  });
}
