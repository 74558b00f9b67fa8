// Scenario `rpc`: `echo` round trips over N connections, each keeping K requests in flight (closed loop). After a
// warm-up, a fixed window counts round trips and latency (load side) and server CPU time (server side).
import { sleep } from "../lib/children.mjs";
import { eachServer, withServerAndLoad } from "../lib/launch.mjs";
import { machineWindow } from "../lib/machine.mjs";
import { pickMedian, summarize } from "../lib/stats.mjs";
import { columns, fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";

export const id = "rpc";

function runOnce(ctx, def) {
  const { config } = ctx;
  const c = config.rpc;
  const timeout = config.callTimeoutMs;
  return withServerAndLoad(ctx, def, async ({ server, load, open }) => {
    await open(c.connections, Math.min(c.connections, config.idle.batchSize));
    // The loop stops by itself after maxDurationMs even if the orchestrator never says so.
    const maxDurationMs = c.warmupMs + c.durationMs + 30_000;
    const requests = { inFlight: c.inFlight, command: "echo", payload: c.payload, maxRequests: c.maxRequests };
    await load.call("startRequests", { ...requests, maxDurationMs }, timeout);
    await sleep(c.warmupMs);
    const endMachine = machineWindow();
    await Promise.all([server.call("cpuStart", {}, timeout), load.call("begin", {}, timeout)]);
    await sleep(c.durationMs);
    const [cpu, window] = await Promise.all([server.call("cpuStop", {}, timeout), load.call("end", {}, timeout)]);
    const machine = endMachine();
    if (window.delivered === 0) {
      throw new Error(`${def.label}: no round trip completed in the window (errors: ${window.errors})`);
    }
    const elapsedS = window.elapsedMs / 1000;
    const serverCpuS = (cpu.userUs + cpu.systemUs) / 1e6;
    const clientCpuS = window.cpuUs / 1e6;
    return {
      errors: window.errors,
      elapsedS,
      roundTripsPerS: window.delivered / elapsedS,
      ...summarize(window.latenciesMs),
      serverCpuS,
      serverCpuUtil: serverCpuS / (cpu.wallMs / 1000),
      perCpuS: window.delivered / serverCpuS,
      clientCpuS,
      irqCpuS: machine.irqS,
      otherCpuS: Math.max(0, machine.busyS - serverCpuS - clientCpuS),
      anomalies: window.anomalies,
      stoppedEarly: !window.stillRunning,
    };
  });
}

const COLUMNS = columns({
  server: "server",
  rtps: "round trips/s",
  p50: "p50 ms",
  p99: "p99 ms",
  cpu: "server CPU s (util)",
  perCpu: "round trips / server CPU-s",
  ratio: "vs raw ws echo",
  client: "load CPU s",
  irq: "irq CPU s",
  other: "other CPU s",
  clean: "undisturbed runs",
});

/** A run during which other processes took more than 10% of a core is disturbed. */
const isClean = (r) => r.otherCpuS <= 0.1 * r.elapsedS;

function row(def, r, baseline, notes) {
  const issues = Object.entries(r.anomalies).filter(([, v]) => v > 0);
  if (issues.length || r.errors) {
    const other = issues.map(([k, v]) => `${k}=${v}`).join(", ") || "no other anomalies";
    notes.push(`${def.label}: ${r.errors} error responses in the window; ${other}`);
  }
  if (!isClean(r)) {
    notes.push(
      `WARNING ${def.label}: no undisturbed run; in the one shown other processes used ${fmtFixed(r.otherCpuS, 2)} ` +
        `CPU-s during its ${fmtFixed(r.elapsedS, 1)} s window, so its figures are skewed: rerun on a quiet machine`,
    );
  }
  if (r.stoppedEarly) notes.push(`${def.label}: the load stopped before the window ended (request cap or deadline)`);
  return {
    server: def.label,
    rtps: fmtInt(r.roundTripsPerS),
    p50: fmtFixed(r.p50, 2),
    p99: fmtFixed(r.p99, 2),
    cpu: `${fmtFixed(r.serverCpuS, 2)} (${Math.round(r.serverCpuUtil * 100)}%)`,
    perCpu: fmtInt(r.perCpuS),
    ratio: baseline ? fmtRatio(r.perCpuS / baseline.perCpuS) : "n/a",
    client: fmtFixed(r.clientCpuS, 2),
    irq: fmtFixed(r.irqCpuS, 2),
    other: fmtFixed(r.otherCpuS, 2),
    clean: r.clean,
  };
}

/** Runs every server `rounds` times, interleaved, and reports each server's median undisturbed run. */
export async function run(ctx) {
  const { config, servers, baselineId, log } = ctx;
  const c = config.rpc;
  const { runs, failures } = await eachServer(ctx, config.rounds, async (def, round) => {
    const which = config.rounds > 1 ? ` (round ${round}/${config.rounds})` : "";
    log(`rpc: ${def.label}${which}: ${c.warmupMs} ms warm-up + ${c.durationMs} ms window`);
    const r = await runOnce(ctx, def);
    log(`rpc: ${def.label}: ${fmtInt(r.roundTripsPerS)} rt/s, ${fmtInt(r.perCpuS)} rt per server CPU-s`);
    return r;
  });
  // The median is taken among a server's undisturbed runs when it has any.
  const chosen = new Map();
  for (const [sid, list] of runs) {
    const clean = list.filter(isClean);
    if (list.length === 0) continue;
    chosen.set(sid, { ...pickMedian(clean.length > 0 ? clean : list), clean: `${clean.length}/${list.length}` });
  }
  const notes = [
    `${c.connections} connections × ${c.inFlight} requests in flight, payload ${JSON.stringify(c.payload)}, ` +
      `${c.warmupMs} ms warm-up, ${c.durationMs} ms window, ${config.rounds} round(s). ` +
      'Columns: bench/README.md, "Reading the tables".',
  ];
  if (config.rounds > 1) {
    const figure = (r) => `${fmtInt(r.perCpuS)}${isClean(r) ? "" : "*"}`;
    const perRun = servers
      .filter((def) => runs.get(def.id).length > 0)
      .map((def) => `${def.label} ${runs.get(def.id).map(figure).join(" / ")}`);
    notes.push(`round trips per server CPU-second of every run, in order (* disturbed): ${perRun.join("; ")}`);
  }
  const rows = servers.map((def) => {
    const r = chosen.get(def.id);
    if (!r) return { server: def.label, rtps: "FAILED" };
    return row(def, r, chosen.get(baselineId), notes);
  });
  const table = { title: "Request/response: `echo` round trips (closed loop)", columns: COLUMNS, rows, notes };
  return { tables: [table], failures };
}
