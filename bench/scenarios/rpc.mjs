// Scenario `rpc`: request/response round trips of `echo` with a small JSON payload over N connections, each
// keeping K requests in flight (closed loop). After a warm-up, a fixed window measures round trips and
// per-request latency (load side) and server CPU time (server side).
import { sleepWatching } from "../lib/children.mjs";
import { withServerAndLoad } from "../lib/launch.mjs";
import { busyBetween, machineCpu } from "../lib/machine.mjs";
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
    const requests = { inFlight: c.inFlight, command: "echo", payload: c.payload, maxRequests: c.maxRequests };
    await load.call("startRequests", { ...requests, maxDurationMs: c.warmupMs + c.durationMs + 30_000 }, timeout);
    await sleepWatching(c.warmupMs, [server, load]);
    const machineBefore = machineCpu();
    const selfBefore = process.cpuUsage();
    await Promise.all([server.call("cpuStart", {}, timeout), load.call("begin", {}, timeout)]);
    await sleepWatching(c.durationMs, [server, load]);
    const [cpu, window] = await Promise.all([server.call("cpuStop", {}, timeout), load.call("end", {}, timeout)]);
    const machine = busyBetween(machineBefore, machineCpu());
    const self = process.cpuUsage(selfBefore);
    await load.call("drain", { timeoutMs: 5_000 }, timeout);
    await load.call("close", { timeoutMs: 5_000 }, timeout);
    if (window.delivered === 0) throw new Error(`${def.label}: no round trip completed in the window (errors: ${window.errors})`);
    const elapsedS = window.elapsedMs / 1000;
    const serverCpuS = (cpu.userUs + cpu.systemUs) / 1e6;
    const clientCpuS = window.cpuUs / 1e6;
    const orchestratorS = (self.user + self.system) / 1e6;
    return {
      errors: window.errors,
      elapsedS,
      roundTripsPerS: window.delivered / elapsedS,
      ...summarize(window.latenciesMs),
      serverCpuS,
      serverCpuUtil: serverCpuS / (cpu.wallMs / 1000),
      perCpuS: window.delivered / serverCpuS,
      clientCpuS,
      // Kernel interrupt time in the window: loopback TCP work charged to no process.
      irqCpuS: machine.irqS,
      // Busy time of the machine used by none of the bench's processes nor interrupts: other processes, steal.
      otherCpuS: Math.max(0, machine.busyS - machine.irqS - orchestratorS - serverCpuS - clientCpuS),
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

/** Runs every server `rounds` times, interleaved, and reports each server's median run. */
export async function run(ctx) {
  const { config, servers, baselineId, log } = ctx;
  const c = config.rpc;
  const runs = new Map(servers.map((s) => [s.id, []]));
  const failures = [];
  for (let round = 1; round <= config.rounds; round++) {
    for (const def of servers) {
      if (failures.some((f) => f.server === def)) continue;
      log(`rpc: ${def.label}${config.rounds > 1 ? ` (round ${round}/${config.rounds})` : ""}: ${c.warmupMs} ms warm-up + ${c.durationMs} ms window`);
      try {
        const result = await runOnce(ctx, def);
        runs.get(def.id).push(result);
        log(`rpc: ${def.label}: ${fmtInt(result.roundTripsPerS)} rt/s, ${fmtInt(result.perCpuS)} rt per server CPU-s`);
      } catch (err) {
        failures.push({ server: def, error: err });
      }
    }
  }

  // A run during which other processes took more than 10% of a core is "disturbed"; when a server has
  // undisturbed runs, the median is taken among those only.
  const isClean = (r) => r.otherCpuS <= 0.1 * r.elapsedS;
  const chosen = new Map();
  const cleanCounts = new Map();
  for (const [sid, list] of runs) {
    if (list.length === 0) continue;
    const clean = list.filter(isClean);
    cleanCounts.set(sid, `${clean.length}/${list.length}`);
    chosen.set(sid, pickMedian(clean.length > 0 ? clean : list));
  }
  const baseline = chosen.get(baselineId);
  const notes = [];
  if (config.rounds > 1) {
    const perRun = servers
      .filter((def) => runs.get(def.id).length > 0)
      .map((def) => `${def.label} ${runs.get(def.id).map((r) => `${fmtInt(r.perCpuS)}${isClean(r) ? "" : "*"}`).join(" / ")}`);
    notes.push(`round trips per server CPU-second of every run, in order (* disturbed): ${perRun.join("; ")}`);
  }
  const rows = servers.map((def) => {
    const r = chosen.get(def.id);
    if (!r) return { server: def.label, rtps: "FAILED" };
    const issues = Object.entries(r.anomalies).filter(([, v]) => v > 0);
    if (issues.length || r.errors) {
      notes.push(`${def.label}: ${r.errors} error responses in the window; ${issues.map(([k, v]) => `${k}=${v}`).join(", ") || "no other anomalies"}`);
    }
    if (!isClean(r)) {
      notes.push(
        `WARNING ${def.label}: no undisturbed run; in the one shown other processes used ${fmtFixed(r.otherCpuS, 2)} CPU-s ` +
          `during its ${fmtFixed(r.elapsedS, 1)} s window, so its figures are skewed: rerun on a quiet machine`,
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
      clean: cleanCounts.get(def.id),
    };
  });
  notes.unshift(
    `${c.connections} connections × ${c.inFlight} requests in flight (closed loop), payload ${JSON.stringify(c.payload)}, ` +
      `${c.warmupMs} ms warm-up, ${c.durationMs} ms window, 1 load process(es), ` +
      `${config.rounds} round(s)${config.rounds > 1 ? " (the run shown is the median by round trips per server CPU-second among the undisturbed runs, or among all when none is)" : ""}. ` +
      "server CPU s: process.cpuUsage() of the server process over the window (utilisation of one core); " +
      "load CPU s: the same for the load generator(s); irq CPU s: the machine's interrupt time in the window " +
      "(the kernel's loopback TCP work, charged to no process); other CPU s: the rest of the machine's busy time " +
      "(other processes, steal); a run where it exceeds 10% of the window is disturbed.",
  );
  const table = { title: "Request/response: `echo` round trips (closed loop)", columns: COLUMNS, rows, notes };
  return { tables: [table], failures };
}
