// What the shutdown check looks at: ports that must be free again and processes that must be gone.
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Whether nothing listens on `port` on 127.0.0.1. */
export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, "127.0.0.1");
  try {
    await Promise.race([once(server, "listening"), once(server, "error").then(([error]) => Promise.reject(error))]);
  } catch {
    return false;
  }
  server.close();
  await once(server, "close");
  return true;
}

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

/**
 * A random port free on 127.0.0.1 right now, below Linux's ephemeral range (32768–60999), from which outgoing
 * connections take their local ports, so no client socket takes it before the demo binds it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await portIsFree(port)) return port;
  }
  throw new Error("no free port found");
}
