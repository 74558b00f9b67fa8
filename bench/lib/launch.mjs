// The children of the rpc and idle-memory scenarios: a server under test in its own process, a load generator in
// another.
import { forkLoad, forkServer, stopAll } from "./children.mjs";
import { HOST } from "./config.mjs";

/**
 * Starts `def` in a server child (with --expose-gc, for memory readings) on an ephemeral loopback port and a load
 * child, runs `use({ server, load, open })`, then stops both. `open(count, batchSize)` has the load child open
 * connections, each ready once open (raw baselines) or once `hello` arrived (meshwork).
 */
export async function withServerAndLoad(ctx, def, use) {
  const timeout = ctx.config.callTimeoutMs;
  const server = forkServer(ctx, def.id, ["--expose-gc"]);
  let load;
  try {
    const { port } = await server
      .call("start", { module: def.module, host: HOST, port: 0 }, ctx.config.startTimeoutMs)
      .catch((err) => Promise.reject(new Error(`server "${def.label}" failed to start: ${err.message}`)));
    load = forkLoad(ctx, def.id);
    const url = `ws://${HOST}:${port}`;
    const kind = def.hello ? "rpc" : "rpc-raw";
    const open = (count, batchSize) =>
      load.call("open", { kind, url, count, batchSize, batchTimeoutMs: timeout }, timeout * 4);
    return await use({ server, load, open });
  } finally {
    await stopAll([load, server], 15_000);
  }
}

/**
 * Calls `measure(def, round)` for every server of `ctx.servers`, `rounds` times with the servers interleaved; a
 * server that failed once is skipped after. Resolves with each server's results by id, and the failures.
 */
export async function eachServer(ctx, rounds, measure) {
  const runs = new Map(ctx.servers.map((s) => [s.id, []]));
  const failures = [];
  for (let round = 1; round <= rounds; round++) {
    for (const def of ctx.servers) {
      if (failures.some((f) => f.server === def)) continue;
      try {
        runs.get(def.id).push(await measure(def, round));
      } catch (err) {
        failures.push({ server: def, error: err });
      }
    }
  }
  return { runs, failures };
}
