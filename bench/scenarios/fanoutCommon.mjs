// Shared runner of the opt-in channel-fanout and record-updates scenarios: the cluster-broadcast machinery
// (lib/broadcastServerProcess.mjs as the instances and the publisher, its fixed-rate and flow-controlled
// full-rate loops, lib/redisServer.mjs, the shared clock) with the clients of lib/fanoutClients.mjs
// (lib/broadcastLoadProcess.mjs with the clients of lib/fanoutClients.mjs, which also sum the bytes of delivered frames).
// Each system: its own redis-server, 2 instances (children pinned like cluster-broadcast's), clients split
// across them, instance #1 publishes. After the warm-up an unmeasured accounting phase runs with MONITOR on
// (lib/redisMonitor.mjs) to split Redis commands into those clients sent and those Lua scripts ran (Redis 7.0
// INFO commandstats counts both). Then rounds of fixed-rate and full-rate phases, system order rotated.
import { sleep } from "../lib/children.mjs";
import { runFanoutPhase, startFanoutSystem, teardownSystem } from "../lib/fanoutPhase.mjs";
import { RedisMonitor } from "../lib/redisMonitor.mjs";
import { mergeSamples, summarize } from "../lib/stats.mjs";
import { fmtFixed, fmtInt } from "../lib/table.mjs";

const HARNESS_COMMANDS = new Set(["config|resetstat", "info", "monitor"]);

async function setupSystem(ctx, cfg, sys, scenarioId) {
  const timeout = ctx.config.callTimeoutMs;
  const sut = await startFanoutSystem(ctx, sys, {
    clients: cfg.clients,
    serverOptions: { keyPrefix: `bench-${scenarioId}:${process.pid}:${sys.id}:`, room: "bench", command: "tick", ...sys.options },
    open: { clients: "fanout", command: sys.target },
  });
  sut.accounting = null;
  const counts = sut.counts;
  try {
    const sizes = await Promise.all(sut.servers.map((s) => s.call("roomSize", {}, timeout)));
    const seen = sizes.reduce((a, b) => a + b, 0);
    if (seen !== cfg.clients) throw new Error(`${sys.label}: ${seen} subscribers (${sizes.join(" + ")}), expected ${cfg.clients}`);
    ctx.log(`${scenarioId}: ${sys.label}: redis-server ${sut.redisVersion} pid ${sut.redis.pid}, instances pid ${sut.servers.map((s) => s.pid).join(" + ")}, ${counts.join(" + ")} subscribers; warm-up`);
    if (cfg.warmupMs > 0) {
      await runPhase(ctx, cfg, sut, "rate", cfg.warmupMs, false);
      await runPhase(ctx, cfg, sut, "full", Math.ceil(cfg.warmupMs / 2), false);
    }
    // Accounting: client-sent vs script-run Redis commands, with MONITOR (not in any measured phase).
    const mon = await RedisMonitor.start(sut.redis.port);
    if (sys.monitorTarget) mon.countTarget(sys.monitorTarget);
    await sleep(50);
    mon.take();
    const acc = await runPhase(ctx, cfg, sut, "rate", cfg.accountingMs, false);
    await sleep(200);
    sut.accounting = { published: acc.pub.published, ...mon.take() };
    mon.stop();
    return sut;
  } catch (err) {
    await teardownSystem(sut);
    throw err;
  }
}

async function runPhase(ctx, cfg, sut, mode, durationMs, measured) {
  const { pub, expected, windows, after } = await runFanoutPhase(ctx, cfg, sut, mode, durationMs, measured);
  return measured ? summarizePhase(sut, cfg, mode, pub, expected, windows, after) : { pub };
}

function summarizePhase(sut, cfg, mode, pub, expected, windows, after) {
  const delivered = windows.reduce((n, w) => n + w.delivered, 0);
  const bytes = windows.reduce((n, w) => n + w.bytes, 0);
  const lastDeliverAt = Math.max(...windows.map((w) => w.lastDeliverAt));
  const spanS = Math.max(1e-3, (Math.max(lastDeliverAt, pub.lastAt) - pub.firstAt) / 1000);
  const latency = summarize(mergeSamples(windows.map((w) => w.latenciesMs)));
  const instanceCpuS = after.cpus.map((c) => (c.userUs + c.systemUs) / 1e6);
  const serverCpuS = instanceCpuS.reduce((a, b) => a + b, 0);
  const wallS = Math.max(...after.cpus.map((c) => c.wallMs)) / 1000;
  const loadCpuS = windows.reduce((n, w) => n + w.cpuUs, 0) / 1e6;
  const commands = Object.entries(after.stats).filter(([name]) => !HARNESS_COMMANDS.has(name)).sort((a, b) => b[1] - a[1]);
  const redisCalls = commands.reduce((n, [, calls]) => n + calls, 0);
  const anomalies = {};
  for (const w of windows) for (const [k, v] of Object.entries(w.anomalies)) if (typeof v === "number") anomalies[k] = (anomalies[k] ?? 0) + v;
  return {
    system: sut.sys.id,
    mode,
    published: pub.published,
    missed: pub.missed,
    publishErrors: pub.errors,
    firstPublishError: pub.firstError,
    stalled: pub.stalled,
    expected,
    delivered,
    lost: expected - delivered,
    bytesPerDelivery: bytes / Math.max(1, delivered),
    spanS,
    publishesPerS: pub.published / spanS,
    deliveriesPerS: delivered / spanS,
    p50: latency.p50,
    p99: latency.p99,
    redisCalls,
    commands,
    cmdsPerPublish: pub.published ? redisCalls / pub.published : Number.NaN,
    instanceCpuS,
    serverCpuS,
    wallS,
    perCpuS: delivered / serverCpuS,
    maxLoopDelayMs: after.cpus.map((c) => c.maxLoopDelayMs),
    redisCpuS: after.redisCpuS,
    loadCpuS,
    otherCpuS: Math.max(0, after.machine.busyS - after.machine.irqS - after.orchestratorS - serverCpuS - loadCpuS - after.redisCpuS),
    anomalies,
  };
}

/** Runs every system of `cfg.systems`; returns `{ runs: Map(id → {rate: [], full: []}), suts info, failures }`. */
export async function runSystems(ctx, cfg, scenarioId) {
  const failures = [];
  const runs = new Map(cfg.systems.map((s) => [s.id, { rate: [], full: [] }]));
  const accounting = new Map();
  const suts = [];
  let redisVersion = "unknown";
  try {
    for (const sys of cfg.systems) {
      try {
        const sut = await setupSystem(ctx, cfg, sys, scenarioId);
        suts.push(sut);
        redisVersion = sut.redisVersion;
        accounting.set(sys.id, sut.accounting);
        ctx.log(`${scenarioId}: ${sys.label}: accounting (MONITOR) ${JSON.stringify(sut.accounting)}`);
      } catch (err) {
        failures.push({ server: sys, error: err });
        ctx.log(`${scenarioId}: ${sys.label} FAILED to start: ${err.message}`);
      }
    }
    const failed = new Set();
    for (let round = 1; round <= cfg.rounds; round++) {
      for (const mode of ["rate", "full"]) {
        const shift = (round - 1) % Math.max(1, suts.length);
        for (const sut of [...suts.slice(shift), ...suts.slice(0, shift)]) {
          if (failed.has(sut.sys.id)) continue;
          try {
            const r = await runPhase(ctx, cfg, sut, mode, cfg.durationMs, true);
            r.round = round;
            runs.get(sut.sys.id)[mode].push(r);
            ctx.log(
              `${scenarioId}: round ${round}/${cfg.rounds} ${mode} ${sut.sys.label}: ${fmtInt(r.publishesPerS)} publishes/s, ${fmtInt(r.deliveriesPerS)} deliveries/s, ` +
                `lost ${r.lost}/${r.expected}, p50/p99 ${fmtFixed(r.p50, 1)}/${fmtFixed(r.p99, 1)} ms, ${fmtFixed(r.bytesPerDelivery, 0)} B/delivery, ` +
                `${fmtFixed(r.cmdsPerPublish, 2)} Redis cmds/publish, CPU ${r.instanceCpuS.map((c) => fmtFixed(c, 2)).join("+")} s, other CPU ${fmtFixed(r.otherCpuS, 2)} s, ` +
                `anomalies ${JSON.stringify(r.anomalies)}`,
            );
          } catch (err) {
            failed.add(sut.sys.id);
            failures.push({ server: sut.sys, error: err });
            ctx.log(`${scenarioId}: ${sut.sys.label} FAILED: ${err.message}`);
          }
        }
      }
    }
  } finally {
    await Promise.all(suts.map((sut) => teardownSystem(sut)));
  }
  return { runs, accounting, failures, redisVersion };
}

/** "evalsha 1.00 + publish 1.00" per publish from a `{name: count}` map. */
export function perPublish(map, published) {
  const entries = Object.entries(map ?? {}).filter(([n]) => !HARNESS_COMMANDS.has(n)).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((n, [, c]) => n + c, 0);
  return {
    total: published ? total / published : Number.NaN,
    text: entries.map(([n, c]) => `${n} ${fmtFixed(c / published, 2)}`).join(" + ") || "none",
  };
}

export function sumBy(list, f) {
  return list.reduce((n, r) => n + f(r), 0);
}

export function disturbedNote(runs) {
  const all = [...runs.values()].flatMap((m) => [...m.rate, ...m.full]);
  const disturbed = all.filter((x) => x.otherCpuS > 0.1 * x.wallS);
  if (!disturbed.length) return null;
  return `${disturbed.length} of ${all.length} phases ran while other processes used more than 10% of a core (up to ${fmtFixed(Math.max(...disturbed.map((x) => x.otherCpuS / x.wallS)), 2)} cores): compare the systems within this run only`;
}

/**
 * One system's chosen run as the fan-out tables show it: the notes under the table (per-round figures, Redis
 * commands per `unit`, MONITOR accounting, client anomalies) and the cells every fan-out table has. `rounds`
 * names the per-round figure ("deliveries/s", "updates delivered/s").
 */
export function describeRun(sys, r, list, acc, { unit, rounds }) {
  const client = perPublish(acc?.client, acc?.published);
  const lua = perPublish(acc?.lua, acc?.published);
  const notes = [
    `${sys.label}: ${rounds} by round ${list.map((x) => fmtInt(x.deliveriesPerS)).join(" / ")}; INFO commandstats in the run shown: ` +
      `${r.commands.map(([n, c]) => `${n} ${fmtFixed(c / r.published, 2)}`).join(" + ") || "none"} per ${unit}; ` +
      `MONITOR accounting (${fmtInt(acc?.published)} ${unit}s at the fixed rate): client-sent ${client.text}, inside Lua ${lua.text}`,
  ];
  const anomalies = Object.entries(r.anomalies).filter(([, v]) => v);
  if (anomalies.length) notes.push(`${sys.label}: client anomalies (cumulative): ${anomalies.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  const cells = {
    system: sys.label,
    dps: fmtInt(r.deliveriesPerS),
    lost: `${fmtInt(sumBy(list, (x) => x.lost))} / ${fmtInt(sumBy(list, (x) => x.expected))}`,
    p50: fmtFixed(r.p50, 2),
    p99: fmtFixed(r.p99, 2),
    bytes: fmtInt(r.bytesPerDelivery),
    cmdsAll: fmtFixed(r.cmdsPerPublish, 2),
    cmdsClient: fmtFixed(client.total, 2),
    cpu: `${fmtFixed(r.serverCpuS, 2)} (${r.instanceCpuS.map((c) => fmtFixed(c, 2)).join("+")})`,
    perCpu: fmtInt(r.perCpuS),
    redisCpu: fmtFixed(r.redisCpuS, 2),
    loadCpu: fmtFixed(r.loadCpuS, 2),
    other: fmtFixed(r.otherCpuS, 2),
  };
  return { notes, cells, clientCmds: client.total };
}
