// The children of the rpc and idle-memory scenarios: a server under test in its own process, a load generator in
// another.
import { fileURLToPath } from "node:url";
import { forkChild, stopAll } from "./children.mjs";
import { HOST } from "./config.mjs";

const SERVER_ENTRY = fileURLToPath(new URL("./serverProcess.mjs", import.meta.url));
const LOAD_ENTRY = fileURLToPath(new URL("./loadProcess.mjs", import.meta.url));

/**
 * Starts `def` in a server child (with --expose-gc, for memory readings) on an ephemeral loopback port and forks a
 * load child, runs `use({ server, load, open })`, then stops both. `open(count, batchSize)` has the load child
 * open connections to the server, each ready once open (raw baselines) or once `hello` arrived (meshwork).
 */
export async function withServerAndLoad(ctx, def, use) {
  const timeout = ctx.config.callTimeoutMs;
  const server = forkChild(ctx, `server:${def.id}`, SERVER_ENTRY, ["--expose-gc", ...ctx.config.serverNodeArgs]);
  let load;
  try {
    const { port } = await server
      .call("start", { module: def.module, host: HOST, port: 0 }, ctx.config.startTimeoutMs)
      .catch((err) => Promise.reject(new Error(`server "${def.label}" failed to start: ${err.message}`)));
    load = forkChild(ctx, `load:${def.id}`, LOAD_ENTRY);
    const kind = def.hello ? "rpc" : "rpc-raw";
    const open = (count, batchSize) =>
      load.call("open", { kind, url: `ws://${HOST}:${port}`, count, batchSize, batchTimeoutMs: timeout }, timeout * 4);
    return await use({ server, load, open });
  } finally {
    await stopAll([load, server], 15_000);
  }
}
