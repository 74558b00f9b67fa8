// Building blocks for scenarios: a server under test in its own process, load generators in theirs.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { subprotocolFor } from "@meshwork/protocol";
import { Child } from "./children.mjs";
import { HOST } from "./config.mjs";

const SERVER_ENTRY = fileURLToPath(new URL("./serverProcess.mjs", import.meta.url));
const LOAD_ENTRY = fileURLToPath(new URL("./loadProcess.mjs", import.meta.url));

/** What a load generator offers as WebSocket subprotocol; the raw `ws` baselines accept it too. */
export const SUBPROTOCOLS = [subprotocolFor()];

/**
 * With BENCH_PIN=1, moves every thread of `child` onto one CPU (`taskset`), so the server and the load
 * generator do not trade cores mid-window. Servers go to CPU 0, load generators to the other CPUs.
 */
export function pin(ctx, child, cpuList) {
  if (!ctx.config.pin) return;
  try {
    execFileSync("taskset", ["-a", "-cp", cpuList, String(child.pid)], { stdio: "ignore", timeout: 5_000 });
  } catch (err) {
    throw new Error(`BENCH_PIN: taskset failed for ${child.name}: ${err.message}`);
  }
}

/** Raised when a server under test cannot start; the orchestrator reports it and exits non-zero. */
export class ServerStartError extends Error {}

/**
 * Forks the server child and starts `def` in it on an ephemeral loopback port. `options` go to the
 * server module's startServer (e.g. a Redis key prefix for multi-instance scenarios).
 * @returns {Promise<{ child: Child, port: number, url: string }>}
 */
export async function launchServer(ctx, def, options = {}) {
  const child = new Child(`server:${def.id}`, SERVER_ENTRY, {
    execArgv: ["--expose-gc", ...ctx.config.serverNodeArgs],
    env: { BENCH_CHILD_MAX_MS: String(ctx.childMaxMs) },
    verbose: ctx.config.verbose,
  });
  try {
    pin(ctx, child, "0");
    const { port } = await child.call("start", { module: def.module, host: HOST, port: 0, options }, ctx.config.startTimeoutMs);
    return { child, port, url: `ws://${HOST}:${port}` };
  } catch (err) {
    child.kill();
    throw new ServerStartError(`server "${def.label}" failed to start: ${err.message}`);
  }
}

/** Forks `count` load generator children. */
export function launchLoad(ctx, count, name) {
  const children = [];
  try {
    for (let i = 0; i < count; i++) {
      const child = new Child(`load:${name}#${i}`, LOAD_ENTRY, {
        env: { BENCH_CHILD_MAX_MS: String(ctx.childMaxMs) },
        verbose: ctx.config.verbose,
      });
      children.push(child);
      pin(ctx, child, ctx.loadCpus);
    }
    return children;
  } catch (err) {
    for (const child of children) child.kill();
    throw err;
  }
}

/** Splits `total` into `parts` near-equal integers. */
export function split(total, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}
