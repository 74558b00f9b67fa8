// Scenario `cluster-broadcast`: a room broadcast across two server instances coordinated through Redis,
// for meshwork, Socket.IO 4 with @socket.io/redis-adapter, and a minimal relay (plain `ws` servers forwarding
// one Redis PUBLISH per message), all in the same run.
//
// Each system gets its own redis-server (spawned on a free loopback port, persistence off, killed by pid at
// the end), so INFO commandstats and Redis CPU count that system only. On it: two server instances (child
// processes, lib/broadcastServerProcess.mjs) and 400 clients split 200/200 across them (one load child per
// instance, lib/broadcastLoadProcess.mjs), all in one room. Instance #1 is the publisher: it broadcasts
// `tick` payloads `{ seq, t, data }` (t: send time on the machine-wide monotonic clock) to the room
//   - at a fixed rate (BENCH_CB_RATE broadcasts/s: 50 → 20,000 deliveries/s; 2 cores cannot sustain 80,000
//     deliveries/s for 400 clients with the servers, clients and Redis on them), and
//   - at full rate: one broadcast per event-loop turn, as fast as the path allows, with at most
//     BENCH_CB_WINDOW broadcasts not yet received by every client (end-to-end flow control: the load
//     processes report their slowest client's sequence number over a loopback TCP connection).
// Every system is set up and warmed up first; then BENCH_CB_ROUNDS rounds each run the fixed-rate phase of
// every system, then the full-rate phase of every system (BENCH_CB_DURATION_MS each), the order rotating
// each round, so changes in the machine's background load spread over all systems alike.
// Per phase: deliveries counted by the clients (lost = broadcasts × clients − received), publish-to-deliver
// latency (receive time − t), Redis commands per broadcast (INFO commandstats after CONFIG RESETSTAT),
// server CPU (process.cpuUsage() of both instances over the phase and its drain), write system calls per
// delivery (/proc/<pid>/io), Redis's own CPU (INFO cpu), and deliveries per server CPU-second.
//
// Settings: BENCH_CB_SYSTEMS (meshwork,socketio,relay), BENCH_CB_CLIENTS (400), BENCH_CB_RATE (50),
// BENCH_CB_DURATION_MS (2500), BENCH_CB_WARMUP_MS (1500), BENCH_CB_ROUNDS (5), BENCH_CB_WINDOW (32),
// BENCH_CB_PADDING (64 bytes of payload data), BENCH_CB_DRAIN_MS (5000), BENCH_CB_MAX_BROADCASTS,
// BENCH_CB_MODES (rate,full: the phases measured);
// BENCH_CB_PROFILE_DIR=/dir writes a V8 CPU profile of each instance for each measured phase only.
import { envInt, pickMedian, runFanoutPhase, startFanoutSystem, teardownSystem } from "../lib/fanoutPhase.mjs";
import { split } from "../lib/harness.mjs";
import { mergeSamples, median, summarize } from "../lib/stats.mjs";
import { fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";
import { selectClusterSystems } from "../servers/index.mjs";

export const id = "cluster-broadcast";


const ROOM = "bench";
const COMMAND = "tick";
/** Commands the harness itself sends to Redis inside a measured phase; not counted against a system. */
const HARNESS_COMMANDS = new Set(["config|resetstat", "info"]);

function parseModes(raw) {
  if (raw === undefined || raw.trim() === "") return ["rate", "full"];
  const modes = raw.split(",").map((m) => m.trim()).filter(Boolean);
  for (const m of modes) if (m !== "rate" && m !== "full") throw new Error(`BENCH_CB_MODES: unknown mode "${m}" (rate, full)`);
  return modes;
}

/** The scenario's settings (BENCH_CB_*); the defaults are the committed configuration. */
export function loadClusterConfig() {
  const systems = (process.env.BENCH_CB_SYSTEMS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return {
    systems: selectClusterSystems(systems.length ? systems : undefined),
    clients: envInt("BENCH_CB_CLIENTS", 400, { min: 2, max: 20_000 }),
    ratePerS: envInt("BENCH_CB_RATE", 50, { min: 1, max: 100_000 }),
    warmupMs: envInt("BENCH_CB_WARMUP_MS", 1_500, { min: 0, max: 60_000 }),
    durationMs: envInt("BENCH_CB_DURATION_MS", 2_500, { min: 200, max: 120_000 }),
    window: envInt("BENCH_CB_WINDOW", 32, { min: 1, max: 10_000 }),
    rounds: envInt("BENCH_CB_ROUNDS", 5, { min: 1, max: 20 }),
    paddingBytes: envInt("BENCH_CB_PADDING", 64, { min: 0, max: 1_000_000 }),
    maxBroadcasts: envInt("BENCH_CB_MAX_BROADCASTS", 1_000_000, { min: 1 }),
    drainMs: envInt("BENCH_CB_DRAIN_MS", 5_000, { min: 100, max: 60_000 }),
    /** Phases to measure: `rate` (fixed rate) and/or `full`. */
    modes: parseModes(process.env.BENCH_CB_MODES),
  };
}

/**
 * Starts one system: its own redis-server, two instances on it, the clients (split across the instances, each
 * joined to the room), the feedback connections; then a warm-up at the fixed rate and a short one at full rate.
 */
async function setupSystem(ctx, cfg, sys) {
  const timeout = ctx.config.callTimeoutMs;
  const sut = await startFanoutSystem(ctx, sys, {
    clients: cfg.clients,
    serverOptions: { keyPrefix: `bench-cb:${process.pid}:${sys.id}:`, room: ROOM, command: COMMAND },
    open: { command: COMMAND },
  });
  const counts = sut.counts;
  try {
    const roomSizes = await Promise.all(sut.servers.map((s) => s.call("roomSize", {}, timeout)));
    const seen = sys.roomScope === "cluster" ? roomSizes[0] : roomSizes.reduce((a, b) => a + b, 0);
    if (seen !== cfg.clients) throw new Error(`${sys.label}: the room has ${seen} members (${roomSizes.join(" + ")}), expected ${cfg.clients}`);
    ctx.log(`${id}: ${sys.label}: redis-server ${sut.redisVersion} pid ${sut.redis.pid}, instances pid ${sut.servers.map((s) => s.pid).join(" + ")}, ${counts.join(" + ")} clients joined; warm-up`);
    if (cfg.warmupMs > 0) {
      await runPhase(ctx, cfg, sut, "rate", cfg.warmupMs, false);
      if (cfg.modes.includes("full")) await runPhase(ctx, cfg, sut, "full", Math.ceil(cfg.warmupMs / 2), false);
    }
    return sut;
  } catch (err) {
    await teardownSystem(sut);
    throw err;
  }
}

/** One phase on one system; the measured ones are summarised. */
async function runPhase(ctx, cfg, sut, mode, durationMs, measured) {
  const { pub, expected, windows, after } = await runFanoutPhase(ctx, cfg, sut, mode, durationMs, measured);
  return measured ? summarizePhase(sut.sys, cfg, mode, pub, expected, windows, after) : null;
}

function summarizePhase(sys, cfg, mode, pub, expected, windows, after) {
  const delivered = windows.reduce((n, w) => n + w.delivered, 0);
  const lastDeliverAt = Math.max(...windows.map((w) => w.lastDeliverAt));
  const spanS = Math.max(1e-3, (Math.max(lastDeliverAt, pub.lastAt) - pub.firstAt) / 1000);
  const latency = summarize(mergeSamples(windows.map((w) => w.latenciesMs)));
  const instanceCpuS = after.cpus.map((c) => (c.userUs + c.systemUs) / 1e6);
  const serverCpuS = instanceCpuS.reduce((a, b) => a + b, 0);
  const userUs = after.cpus.reduce((n, c) => n + c.userUs, 0);
  const systemUs = after.cpus.reduce((n, c) => n + c.systemUs, 0);
  const wallS = Math.max(...after.cpus.map((c) => c.wallMs)) / 1000;
  const loadCpuS = windows.reduce((n, w) => n + w.cpuUs, 0) / 1e6;
  const commands = Object.entries(after.stats)
    .filter(([name]) => !HARNESS_COMMANDS.has(name))
    .sort((a, b) => b[1] - a[1]);
  const redisCalls = commands.reduce((n, [, calls]) => n + calls, 0);
  const anomalies = {};
  for (const w of windows) {
    for (const [k, v] of Object.entries(w.anomalies)) {
      if (typeof v === "number") anomalies[k] = (anomalies[k] ?? 0) + v;
      else if (v !== undefined) anomalies[k] ??= v;
    }
  }
  return {
    system: sys.id,
    mode,
    published: pub.published,
    missed: pub.missed,
    publishErrors: pub.errors,
    firstPublishError: pub.firstError,
    stalled: pub.stalled,
    expected,
    delivered,
    lost: expected - delivered,
    spanS,
    publishS: (pub.lastAt - pub.firstAt) / 1000,
    windowWaits: pub.waits ?? 0,
    windowWaitedS: (pub.waitedMs ?? 0) / 1000,
    firstDeliverS: (Math.min(...windows.map((w) => w.firstDeliverAt)) - pub.firstAt) / 1000,
    broadcastsPerS: pub.published / spanS,
    deliveriesPerS: delivered / spanS,
    p50: latency.p50,
    p99: latency.p99,
    max: latency.max,
    redisCalls,
    commands,
    cmdsPerBroadcast: pub.published ? redisCalls / pub.published : Number.NaN,
    instanceCpuS,
    serverCpuS,
    wallS,
    perCpuS: delivered / serverCpuS,
    userUsPerDelivery: userUs / Math.max(1, delivered),
    // Each instance serves half the clients: per delivery of its own.
    instanceUserSysUs: after.cpus.map((c) => [c.userUs / Math.max(1, delivered / 2), c.systemUs / Math.max(1, delivered / 2)]),
    systemUsPerDelivery: systemUs / Math.max(1, delivered),
    maxLoopDelayMs: after.cpus.map((c) => c.maxLoopDelayMs),
    writesPerDelivery: after.cpus.reduce((n, c) => n + c.writeSyscalls, 0) / Math.max(1, delivered),
    readsPerBroadcast: after.cpus.reduce((n, c) => n + c.readSyscalls, 0) / Math.max(1, pub.published),
    serverDiagnostics: after.cpus.map((c) => c.diagnostics),
    redisCpuS: after.redisCpuS,
    loadCpuS,
    irqCpuS: after.machine.irqS,
    otherCpuS: Math.max(0, after.machine.busyS - after.machine.irqS - after.orchestratorS - serverCpuS - loadCpuS - after.redisCpuS),
    anomalies,
  };
}

/**
 * Starts every system (each on its own redis-server, so INFO commandstats and Redis CPU are per system and an
 * idle system's background traffic never counts against another), then measures in rounds: each round runs
 * the fixed-rate phase of every system, then the full-rate phase of every system, the system order rotating
 * from round to round, so slow changes in the machine's background load spread evenly over the systems.
 */
export async function run(ctx) {
  const cfg = loadClusterConfig();
  const failures = [];
  const runs = new Map(cfg.systems.map((s) => [s.id, { rate: [], full: [] }]));
  const suts = [];
  let redisVersion = "unknown";
  try {
    for (const sys of cfg.systems) {
      try {
        const sut = await setupSystem(ctx, cfg, sys);
        suts.push(sut);
        redisVersion = sut.redisVersion;
      } catch (err) {
        failures.push({ server: sys, error: err });
        ctx.log(`${id}: ${sys.label} FAILED to start: ${err.message}`);
      }
    }
    const failed = new Set();
    for (let round = 1; round <= cfg.rounds; round++) {
      for (const mode of cfg.modes) {
        const shift = (round - 1) % Math.max(1, suts.length);
        const order = [...suts.slice(shift), ...suts.slice(0, shift)];
        for (const sut of order) {
          if (failed.has(sut.sys.id)) continue;
          try {
            const r = await runPhase(ctx, cfg, sut, mode, cfg.durationMs, true);
            r.round = round;
            runs.get(sut.sys.id)[mode].push(r);
            ctx.log(
              `${id}: round ${round}/${cfg.rounds} ${mode === "rate" ? "fixed" : "full"} ${sut.sys.label}: ` +
                `${fmtInt(r.deliveriesPerS)} deliveries/s, ${fmtInt(r.perCpuS)} per server CPU-s, lost ${r.lost}, ` +
                `p50/p99 ${fmtFixed(r.p50, 1)}/${fmtFixed(r.p99, 1)} ms, ${fmtFixed(r.cmdsPerBroadcast, 3)} Redis cmds/broadcast, ` +
                `${fmtFixed(r.writesPerDelivery, 2)} writes/delivery, ${fmtFixed(r.readsPerBroadcast, 1)} reads/broadcast, ` +
                `loop stall ${r.maxLoopDelayMs.map(fmtInt).join("/")} ms, other CPU ${fmtFixed(r.otherCpuS, 2)} s, ` +
                `published ${r.published} in ${fmtFixed(r.publishS, 2)} s (window full ${r.windowWaits}× for ${fmtFixed(r.windowWaitedS, 2)} s), deliveries ${fmtFixed(r.firstDeliverS, 3)} → ${fmtFixed(r.spanS, 2)} s, ` +
                `CPU ${r.instanceCpuS.map((c) => fmtFixed(c, 2)).join("+")} s, ` +
                `user/system ${fmtFixed(r.userUsPerDelivery, 2)}/${fmtFixed(r.systemUsPerDelivery, 2)} µs per delivery ` +
                `(#1 ${r.instanceUserSysUs[0].map((v) => fmtFixed(v, 1)).join("/")}, #2 ${r.instanceUserSysUs[1].map((v) => fmtFixed(v, 1)).join("/")})`,
            );
          } catch (err) {
            failed.add(sut.sys.id);
            failures.push({ server: sut.sys, error: err });
            ctx.log(`${id}: ${sut.sys.label} FAILED: ${err.message}`);
          }
        }
      }
    }
  } finally {
    await Promise.all(suts.map((sut) => teardownSystem(sut)));
  }
  return { tables: buildTables(cfg, runs, redisVersion), failures, results: Object.fromEntries(runs) };
}

function compactCommands(r) {
  return r.commands.map(([name, calls]) => `${name} ${fmtInt(calls)} (${fmtFixed(calls / r.published, 3)})`).join(", ") || "none";
}

function buildTables(cfg, runs, redisVersion) {
  const tables = [];
  const verdict = (ok) => (ok ? "met" : "MISSED");
  for (const mode of cfg.modes) {
    const all = new Map(cfg.systems.map((sys) => [sys.id, runs.get(sys.id)[mode]]));
    const chosen = new Map();
    for (const sys of cfg.systems) {
      const r = pickMedian(all.get(sys.id));
      if (r) chosen.set(sys.id, r);
    }
    const socketio = chosen.get("socketio");
    const relay = chosen.get("relay");
    const notes = [];
    const sum = (list, f) => list.reduce((n, r) => n + f(r), 0);
    const rows = cfg.systems.map((sys) => {
      const r = chosen.get(sys.id);
      if (!r) return { system: sys.label, bps: "FAILED" };
      const list = all.get(sys.id);
      return {
        system: sys.label,
        bps: fmtInt(r.broadcastsPerS),
        dps: fmtInt(r.deliveriesPerS),
        lost: `${fmtInt(sum(list, (x) => x.lost))} / ${fmtInt(sum(list, (x) => x.expected))}`,
        p50: fmtFixed(r.p50, 2),
        p99: fmtFixed(r.p99, 2),
        cmds: fmtFixed(r.cmdsPerBroadcast, 3),
        cpu: `${fmtFixed(r.serverCpuS, 2)} (${r.instanceCpuS.map((c) => fmtFixed(c, 2)).join("+")})`,
        perCpu: fmtInt(r.perCpuS),
        writes: fmtFixed(r.writesPerDelivery, 2),
        userSys: `${fmtFixed(r.userUsPerDelivery, 1)} / ${fmtFixed(r.systemUsPerDelivery, 1)}`,
        vsSio: socketio ? fmtRatio(r.perCpuS / socketio.perCpuS) : "n/a",
        vsRelay: relay ? fmtRatio(r.perCpuS / relay.perCpuS) : "n/a",
        redisCpu: fmtFixed(r.redisCpuS, 2),
        loadCpu: fmtFixed(r.loadCpuS, 2),
        other: fmtFixed(r.otherCpuS, 2),
      };
    });
    for (const sys of cfg.systems) {
      const r = chosen.get(sys.id);
      if (!r) continue;
      const list = all.get(sys.id);
      notes.push(
        `${sys.label}: deliveries per server CPU-s by round: ${list.map((x) => fmtInt(x.perCpuS)).join(" / ")}; ` +
          `Redis cmds/broadcast max ${fmtFixed(Math.max(...list.map((x) => x.cmdsPerBroadcast)), 3)}; ` +
          `Redis commands in the run shown: ${fmtInt(r.redisCalls)} for ${fmtInt(r.published)} broadcasts: ${compactCommands(r)}`,
      );
      const anomalies = {};
      for (const x of list) {
        for (const [k, v] of Object.entries(x.anomalies)) if (typeof v === "number" && v) anomalies[k] = Math.max(anomalies[k] ?? 0, v);
      }
      if (Object.keys(anomalies).length) {
        notes.push(`${sys.label}: client anomalies (cumulative): ${Object.entries(anomalies).map(([k, v]) => `${k}=${v}`).join(", ")}`);
      }
      const stalls = list.filter((x) => x.maxLoopDelayMs.some((d) => d > 250));
      if (stalls.length) {
        notes.push(`${sys.label}: event loop of an instance stalled > 250 ms in ${stalls.length} of ${list.length} runs (longest ${fmtInt(Math.max(...list.flatMap((x) => x.maxLoopDelayMs)))} ms)`);
      }
      const diag = r.serverDiagnostics.filter(Boolean);
      if (diag.some((d) => Object.values(d).some((v) => v))) notes.push(`${sys.label}: server events so far per instance: ${diag.map((d) => JSON.stringify(d)).join(" / ")}`);
      const errors = sum(list, (x) => x.publishErrors);
      if (errors) notes.push(`${sys.label}: ${errors} broadcasts failed to publish (first: ${list.find((x) => x.firstPublishError)?.firstPublishError})`);
      const missed = sum(list, (x) => x.missed);
      if (missed) notes.push(`${sys.label}: ${missed} broadcasts skipped: more than 10,000 publishes awaited Redis`);
      const stalled = list.filter((x) => x.stalled).length;
      if (stalled) notes.push(`${sys.label}: the full-rate publisher stalled (no client progress for 2 s) and stopped early in ${stalled} run(s)`);
      const lost = sum(list, (x) => x.lost);
      if (mode === "rate" && lost !== 0) notes.push(`WARNING ${sys.label}: ${lost} deliveries lost at the fixed rate (must be 0)`);
    }
    const disturbed = [...all.values()].flat().filter((x) => x.otherCpuS > 0.1 * x.wallS);
    if (disturbed.length) {
      notes.push(
        `${disturbed.length} of ${[...all.values()].flat().length} phases ran while other processes used more than 10% of a core ` +
          `(up to ${fmtFixed(Math.max(...disturbed.map((x) => x.otherCpuS / x.wallS)), 2)} cores): figures from a shared machine; compare the systems within this run only`,
      );
    }
    // Ratios taken round by round (the systems of one round ran seconds apart, under the same background load).
    const perRound = (a, b) => {
      const out = [];
      for (const ra of all.get(a) ?? []) {
        const rb = (all.get(b) ?? []).find((x) => x.round === ra.round);
        if (rb) out.push(ra.perCpuS / rb.perCpuS);
      }
      return out;
    };
    const mesh = chosen.get("meshwork");
    if (mesh) {
      const goals = [`Redis cmds/broadcast ${fmtFixed(mesh.cmdsPerBroadcast, 3)} ≤ 2: ${verdict(mesh.cmdsPerBroadcast <= 2)}`];
      if (socketio) {
        const x = mesh.perCpuS / socketio.perCpuS;
        const rounds = perRound("meshwork", "socketio");
        goals.push(
          `deliveries per server CPU-s ${fmtRatio(x)} Socket.IO's (goal ≥ 1.10×): ${verdict(x >= 1.1)} ` +
            `(round by round ${rounds.map(fmtRatio).join(" ")}, median ${fmtRatio(median(rounds))})`,
        );
      }
      if (relay) {
        const x = mesh.perCpuS / relay.perCpuS;
        const rounds = perRound("meshwork", "relay");
        goals.push(
          `${fmtRatio(x)} the relay's (goal ≥ 0.90×): ${verdict(x >= 0.9)} ` +
            `(round by round ${rounds.map(fmtRatio).join(" ")}, median ${fmtRatio(median(rounds))})`,
        );
      }
      notes.unshift(`goals (meshwork): ${goals.join("; ")}`);
    }
    const shape =
      mode === "rate"
        ? `fixed rate: ${fmtInt(cfg.ratePerS)} broadcasts/s (${fmtInt(cfg.ratePerS * cfg.clients)} deliveries/s expected)`
        : `full rate: as fast as the path allows with at most ${cfg.window} broadcasts not yet received by every client (end-to-end flow control)`;
    notes.unshift(
      `${shape}, ${fmtInt(cfg.durationMs)} ms per phase, ${cfg.rounds} rounds (system order rotated each round); the run shown is each system's median ` +
        `by deliveries per server CPU-s, lost / expected sums every round. Each system: 2 instances on its own redis-server ${redisVersion}, ` +
        `${cfg.clients} clients (${split(cfg.clients, 2).join(" + ")}, one load process per instance) in one room, instance #1 publishes ` +
        `{seq, t, data: ${cfg.paddingBytes} bytes}; warm-up ${fmtInt(cfg.warmupMs)} ms at the fixed rate and ${fmtInt(Math.ceil(cfg.warmupMs / 2))} ms at full rate. ` +
        "broadcasts/s and deliveries/s over first publish → last delivery; latency = client receive time − publisher send time " +
        "(machine-wide monotonic clock); Redis cmds/broadcast = every call in INFO commandstats (CONFIG RESETSTAT before the phase; " +
        "the harness's own CONFIG/INFO excluded) ÷ broadcasts; server CPU s = process.cpuUsage() of instance #1 + #2 over the phase " +
        "and its drain; server write syscalls / delivery = write-class system calls of both instances (/proc/<pid>/io syscw) ÷ deliveries; Redis CPU s = INFO cpu (not in server CPU); other CPU s = the machine's busy time used by none of the bench's " +
        "processes nor interrupts.",
    );
    tables.push({
      title:
        mode === "rate"
          ? `Cross-instance room broadcast, fixed rate: ${fmtInt(cfg.ratePerS)} broadcasts/s to ${cfg.clients} clients on 2 instances`
          : `Cross-instance room broadcast, full rate: ${cfg.clients} clients on 2 instances, ≤ ${cfg.window} broadcasts in flight`,
      columns: [
        { key: "system", title: "system", align: "left" },
        { key: "bps", title: "broadcasts/s" },
        { key: "dps", title: "deliveries/s" },
        { key: "lost", title: "lost / expected" },
        { key: "p50", title: "p50 ms" },
        { key: "p99", title: "p99 ms" },
        { key: "cmds", title: "Redis cmds/broadcast" },
        { key: "cpu", title: "server CPU s (#1+#2)" },
        { key: "perCpu", title: "deliveries / server CPU-s" },
        { key: "userSys", title: "server µs / delivery user / sys" },
        { key: "writes", title: "write syscalls / delivery" },
        { key: "vsSio", title: "vs Socket.IO" },
        { key: "vsRelay", title: "vs relay" },
        { key: "redisCpu", title: "Redis CPU s" },
        { key: "loadCpu", title: "load CPU s" },
        { key: "other", title: "other CPU s" },
      ],
      rows,
      notes,
    });
  }
  return tables;
}
