// Launches the children of the rpc and idle-memory scenarios: a server under test in its own process, load
// generators in theirs.
import { fileURLToPath } from "node:url";
import { forkChild } from "./children.mjs";
import { HOST } from "./config.mjs";

const SERVER_ENTRY = fileURLToPath(new URL("./serverProcess.mjs", import.meta.url));
const LOAD_ENTRY = fileURLToPath(new URL("./loadProcess.mjs", import.meta.url));

/**
 * Forks the server child (with --expose-gc, for memory readings) and starts `def` in it on an ephemeral loopback
 * port; a server that cannot start fails with a message naming it.
 * @returns {Promise<{ child: import("./children.mjs").Child, url: string }>}
 */
export async function launchServer(ctx, def) {
  const child = forkChild(ctx, `server:${def.id}`, SERVER_ENTRY, ["--expose-gc", ...ctx.config.serverNodeArgs]);
  try {
    const start = { module: def.module, host: HOST, port: 0 };
    const { port } = await child.call("start", start, ctx.config.startTimeoutMs);
    return { child, url: `ws://${HOST}:${port}` };
  } catch (err) {
    child.kill();
    throw new Error(`server "${def.label}" failed to start: ${err.message}`);
  }
}

/** Forks `count` load generator children. */
export function launchLoad(ctx, count, name) {
  return Array.from({ length: count }, (_, i) => forkChild(ctx, `load:${name}#${i}`, LOAD_ENTRY));
}

/** Asks `load` to open `count` connections to `server` (each ready once open, or once `hello` arrived). */
export function openConnections(ctx, load, server, def, count, batchSize) {
  const timeout = ctx.config.callTimeoutMs;
  const params = { kind: def.hello ? "rpc" : "rpc-raw", url: server.url, count, batchSize, batchTimeoutMs: timeout };
  return load.call("open", params, timeout * 4);
}
