// Scenario `idle-memory`: server memory per idle connection. The server child forces GC and reports
// process.memoryUsage() before and after the load child opens N idle connections (in batches; meshwork ones
// count once `hello` arrived). The load child keeps answering pings and latency probes, so the server runs its
// default liveness timers as in production.
import { sleep } from "../lib/children.mjs";
import { withServerAndLoad } from "../lib/launch.mjs";
import { columns, fmtInt, fmtRatio } from "../lib/table.mjs";

export const id = "idle-memory";

/** Polls the server's own connection count (when it exposes one) until it equals `expected`. */
async function waitForServerConnections(server, expected, timeoutMs, timeout) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const n = await server.call("connections", {}, timeout);
    if (n === undefined || n === null || n === expected) return;
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
      throw new Error(`only ${status.open} of ${c.connections} connections still open at measurement (dropped: ${status.anomalies.dropped})`);
    }
    await load.call("close", { timeoutMs: 15_000 }, timeout);
    const perConnection = (field) => (after[field] - before[field]) / c.connections;
    return { heapPerConn: perConnection("heapUsed"), rssPerConn: perConnection("rss"), externalPerConn: perConnection("external") };
  });
}

export async function run(ctx) {
  const { config, servers, baselineId, log } = ctx;
  const c = config.idle;
  const failures = [];
  const results = new Map();
  for (const def of servers) {
    log(`idle-memory: ${def.label}: ${c.connections} idle connections`);
    try {
      const r = await measure(ctx, def);
      results.set(def.id, r);
      log(`idle-memory: ${def.label}: ${fmtInt(r.heapPerConn)} B heap, ${fmtInt(r.rssPerConn)} B RSS per connection`);
    } catch (err) {
      failures.push({ server: def, error: err });
    }
  }
  const base = results.get(baselineId);
  const rows = servers.map((def) => {
    const r = results.get(def.id);
    if (!r) return { server: def.label, conns: "FAILED" };
    return {
      server: def.label,
      conns: fmtInt(c.connections),
      heap: fmtInt(r.heapPerConn),
      heapRatio: base ? fmtRatio(r.heapPerConn / base.heapPerConn) : "n/a",
      rss: fmtInt(r.rssPerConn),
      rssRatio: base ? fmtRatio(r.rssPerConn / base.rssPerConn) : "n/a",
      ext: fmtInt(r.externalPerConn),
    };
  });
  const notes = [
    `Δ process.memoryUsage() after ${c.gcRounds} forced GCs, before vs after opening ${c.connections} idle connections ` +
      `(batches of ${c.batchSize}; ${c.primeConnections} connections opened and closed before the baseline), divided by the connection count. ` +
      "Servers run with default options.",
  ];
  const cols = columns({
    server: "server",
    conns: "connections",
    heap: "heapUsed B/conn",
    heapRatio: "heap vs raw ws echo",
    rss: "RSS B/conn",
    rssRatio: "RSS vs raw ws echo",
    ext: "external B/conn",
  });
  return { tables: [{ title: "Server memory per idle connection", columns: cols, rows, notes }], failures };
}
