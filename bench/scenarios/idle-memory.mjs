// Scenario `idle-memory`: server memory per idle connection. The server child forces GC and reads
// process.memoryUsage() before and after the load child opens N idle connections; the load child answers pings and
// latency probes, so the server runs its default liveness timers as in production.
import { sleep } from "../lib/children.mjs";
import { eachServer, withServerAndLoad } from "../lib/launch.mjs";
import { columns, fmtInt, fmtRatio } from "../lib/table.mjs";

export const id = "idle-memory";

/** Polls the server's own connection count until it equals `expected`. */
async function waitForServerConnections(server, expected, timeoutMs, timeout) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const n = await server.call("connections", {}, timeout);
    if (n === expected) return;
    if (Date.now() > until) throw new Error(`server still reports ${n} connections, expected ${expected}`);
    await sleep(100);
  }
}

function measure(ctx, def) {
  const c = ctx.config.idle;
  const timeout = ctx.config.callTimeoutMs;
  return withServerAndLoad(ctx, def, async ({ server, load, open }) => {
    if (c.primeConnections > 0) {
      await open(c.primeConnections, c.batchSize);
      await load.call("close", { timeoutMs: 10_000 }, timeout);
      await waitForServerConnections(server, 0, 10_000, timeout);
    }
    await sleep(c.settleMs);
    const before = await server.call("memory", { gcRounds: c.gcRounds }, timeout);
    const opened = await open(c.connections, c.batchSize);
    if (opened.open !== c.connections) throw new Error(`opened ${opened.open} of ${c.connections} connections`);
    await waitForServerConnections(server, c.connections, 30_000, timeout);
    await sleep(c.settleMs);
    const after = await server.call("memory", { gcRounds: c.gcRounds }, timeout);
    const status = await load.call("status", {}, timeout);
    if (status.open !== c.connections) {
      const dropped = status.anomalies.dropped;
      throw new Error(`only ${status.open} of ${c.connections} connections open at measurement (dropped: ${dropped})`);
    }
    const perConnection = (field) => (after[field] - before[field]) / c.connections;
    return { heap: perConnection("heapUsed"), rss: perConnection("rss"), external: perConnection("external") };
  });
}

const COLUMNS = columns({
  server: "server",
  conns: "connections",
  heap: "heapUsed B/conn",
  heapRatio: "heap vs raw ws echo",
  rss: "RSS B/conn",
  rssRatio: "RSS vs raw ws echo",
  ext: "external B/conn",
});

export async function run(ctx) {
  const { config, servers, baselineId, log } = ctx;
  const c = config.idle;
  const { runs, failures } = await eachServer(ctx, 1, async (def) => {
    log(`idle-memory: ${def.label}: ${c.connections} idle connections`);
    const r = await measure(ctx, def);
    log(`idle-memory: ${def.label}: ${fmtInt(r.heap)} B heap, ${fmtInt(r.rss)} B RSS per connection`);
    return r;
  });
  const base = runs.get(baselineId)?.[0];
  const rows = servers.map((def) => {
    const r = runs.get(def.id)[0];
    if (!r) return { server: def.label, conns: "FAILED" };
    return {
      server: def.label,
      conns: fmtInt(c.connections),
      heap: fmtInt(r.heap),
      heapRatio: base ? fmtRatio(r.heap / base.heap) : "n/a",
      rss: fmtInt(r.rss),
      rssRatio: base ? fmtRatio(r.rss / base.rss) : "n/a",
      ext: fmtInt(r.external),
    };
  });
  const notes = [
    `${c.gcRounds} forced GCs per reading, ${c.connections} idle connections in batches of ${c.batchSize}, ` +
      `${c.primeConnections} opened and closed before the baseline. Columns: bench/README.md, "Reading the tables".`,
  ];
  return { tables: [{ title: "Server memory per idle connection", columns: COLUMNS, rows, notes }], failures };
}
