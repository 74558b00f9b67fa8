// The runner of the fan-out scenarios (cluster-broadcast, channel-fanout, record-updates). Each scenario is a
// description of what differs: its systems, sizes and tables. The runner starts every system (lib/fanoutSystem.mjs),
// checks that every client joined, warms it up, optionally counts client-sent vs script-run Redis commands in an
// unmeasured fixed-rate phase under MONITOR, then measures in rounds: each round runs the fixed-rate phase of every
// system, then the full-rate phase of every system, the system order rotating each round, so slow changes in the
// machine's background load spread evenly over the systems.
import { envInt, envList, selectById } from "../lib/config.mjs";
import { HARNESS_COMMANDS, runFanoutPhase, startFanoutSystem, teardownSystem } from "../lib/fanoutSystem.mjs";
import { fmtFixed, fmtInt } from "../lib/table.mjs";

/**
 * @typedef {object} FanoutSystem
 * @property {string} id used in BENCH_<prefix>_SYSTEMS
 * @property {string} label shown in tables
 * @property {string} module server module (servers/), run by lib/serverProcess.mjs; `options` go to its startServer
 * @property {Record<string, unknown>} [options]
 * @property {string} client the client kind (lib/clients.mjs), following `target` (push command, channel, record id)
 * @property {string} target
 * @property {"cluster" | "local"} [roomScope] whether roomSize() counts the whole cluster or the instance
 * @property {string} [monitorTarget] MONITOR accounting also counts the commands naming this text
 */

/**
 * The scenario's settings: BENCH_<prefix>_* over `defaults`. `prefix` is CB, CF or RU; `defaults` holds at least
 * clients, rounds and paddingBytes.
 */
export function fanoutConfig(prefix, systems, defaults) {
  const env = (name, fallback, range) => envInt(`BENCH_${prefix}_${name}`, fallback, range);
  const modes = envList(`BENCH_${prefix}_MODES`) ?? ["rate", "full"];
  for (const m of modes) if (m !== "rate" && m !== "full") throw new Error(`BENCH_${prefix}_MODES: unknown mode "${m}" (rate, full)`);
  return {
    systems: selectById(systems, envList(`BENCH_${prefix}_SYSTEMS`), "system"),
    modes,
    clients: env("CLIENTS", defaults.clients, { min: 2, max: 20_000 }),
    ratePerS: env("RATE", 50, { min: 1, max: 100_000 }),
    warmupMs: env("WARMUP_MS", 1_500, { max: 60_000 }),
    accountingMs: env("ACCOUNTING_MS", 1_000, { min: 100, max: 60_000 }),
    durationMs: env("DURATION_MS", 2_500, { min: 200, max: 120_000 }),
    window: env("WINDOW", 32, { min: 1, max: 10_000 }),
    rounds: env("ROUNDS", defaults.rounds, { min: 1, max: 20 }),
    paddingBytes: env("PADDING", defaults.paddingBytes, { max: 1_000_000 }),
    maxPublishes: env("MAX_PUBLISHES", 1_000_000, { min: 1 }),
    drainMs: env("DRAIN_MS", 5_000, { min: 100, max: 60_000 }),
    countBytes: defaults.countBytes ?? false,
    accounting: defaults.accounting ?? false,
  };
}

async function setupSystem(ctx, scenario, cfg, sys) {
  const timeout = ctx.config.callTimeoutMs;
  const keyPrefix = `${scenario.keyTag}:${process.pid}:${sys.id}:`;
  const sut = await startFanoutSystem(ctx, cfg, sys, { keyPrefix, room: "bench", command: "tick" });
  try {
    const sizes = await Promise.all(sut.servers.map((s) => s.call("roomSize", {}, timeout)));
    const seen = sys.roomScope === "cluster" ? sizes[0] : sizes.reduce((a, b) => a + b, 0);
    if (seen !== cfg.clients) throw new Error(`${sys.label}: ${seen} members (${sizes.join(" + ")}), expected ${cfg.clients}`);
    ctx.log(
      `${scenario.id}: ${sys.label}: redis-server ${sut.redisVersion} pid ${sut.redis.pid}, instances pid ` +
        `${sut.servers.map((s) => s.pid).join(" + ")}, ${sut.counts.join(" + ")} clients; warm-up`,
    );
    if (cfg.warmupMs > 0) {
      await runFanoutPhase(ctx, cfg, sut, "rate", cfg.warmupMs, false);
      if (cfg.modes.includes("full")) await runFanoutPhase(ctx, cfg, sut, "full", Math.ceil(cfg.warmupMs / 2), false);
    }
    if (cfg.accounting) {
      const phase = () => runFanoutPhase(ctx, cfg, sut, "rate", cfg.accountingMs, false);
      const { result, ...counts } = await sut.redis.monitor(phase, sys.monitorTarget);
      sut.accounting = { published: result.published, ...counts };
      ctx.log(`${scenario.id}: ${sys.label}: accounting (MONITOR) ${JSON.stringify(sut.accounting)}`);
    }
    return sut;
  } catch (err) {
    await teardownSystem(sut);
    throw err;
  }
}

/**
 * Runs a fan-out scenario described by `scenario`: `{ id, keyTag, config(), tables(cfg, runs, accounting,
 * redisVersion) }`. `runs` maps each system id to its measured phases by mode (`{ rate: [], full: [] }`).
 */
export async function runFanout(ctx, scenario) {
  const cfg = scenario.config();
  const failures = [];
  const runs = new Map(cfg.systems.map((s) => [s.id, { rate: [], full: [] }]));
  const accounting = new Map();
  const suts = [];
  let redisVersion = "unknown";
  const fail = (sys, err, what) => {
    failures.push({ server: sys, error: err });
    ctx.log(`${scenario.id}: ${sys.label} FAILED${what}: ${err.message}`);
  };
  try {
    for (const sys of cfg.systems) {
      try {
        const sut = await setupSystem(ctx, scenario, cfg, sys);
        suts.push(sut);
        redisVersion = sut.redisVersion;
        accounting.set(sys.id, sut.accounting);
      } catch (err) {
        fail(sys, err, " to start");
      }
    }
    const failed = new Set();
    for (let round = 1; round <= cfg.rounds; round++) {
      for (const mode of cfg.modes) {
        const shift = (round - 1) % Math.max(1, suts.length);
        for (const sut of [...suts.slice(shift), ...suts.slice(0, shift)]) {
          if (failed.has(sut.sys.id)) continue;
          try {
            const r = await runFanoutPhase(ctx, cfg, sut, mode, cfg.durationMs, true);
            r.round = round;
            runs.get(sut.sys.id)[mode].push(r);
            ctx.log(
              `${scenario.id}: round ${round}/${cfg.rounds} ${mode} ${sut.sys.label}: ${fmtInt(r.publishesPerS)} publishes/s, ` +
                `${fmtInt(r.deliveriesPerS)} deliveries/s, ${fmtInt(r.perCpuS)} per server CPU-s, lost ${r.lost}/${r.expected}, ` +
                `p50/p99 ${fmtFixed(r.p50, 1)}/${fmtFixed(r.p99, 1)} ms, ${fmtFixed(r.bytesPerDelivery, 0)} B/delivery, ` +
                `${fmtFixed(r.cmdsPerPublish, 3)} Redis cmds/publish, CPU ${r.instanceCpuS.map((c) => fmtFixed(c, 2)).join("+")} s, ` +
                `other CPU ${fmtFixed(r.otherCpuS, 2)} s, anomalies ${JSON.stringify(r.anomalies)}`,
            );
          } catch (err) {
            failed.add(sut.sys.id);
            fail(sut.sys, err, "");
          }
        }
      }
    }
  } finally {
    await Promise.all(suts.map((sut) => teardownSystem(sut)));
  }
  return { tables: scenario.tables(cfg, runs, accounting, redisVersion), failures };
}

/** `[a/b for every round where both ran]` of `field`, between systems `a` and `b` of `list`s by round. */
export function ratiosByRound(listA, listB, field) {
  const out = [];
  for (const ra of listA ?? []) {
    const rb = (listB ?? []).find((x) => x.round === ra.round);
    if (rb) out.push(ra[field] / rb[field]);
  }
  return out;
}

/** Notes on what went wrong in a system's phases: anomalies, stalls, failed or skipped publishes, fixed-rate loss. */
export function problemNotes(sys, mode, list) {
  const notes = [];
  const sum = (f) => list.reduce((n, x) => n + f(x), 0);
  const anomalies = {};
  for (const x of list) for (const [k, v] of Object.entries(x.anomalies)) if (v) anomalies[k] = Math.max(anomalies[k] ?? 0, v);
  if (Object.keys(anomalies).length) {
    notes.push(`${sys.label}: client anomalies (cumulative): ${Object.entries(anomalies).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  }
  const stalls = list.filter((x) => x.maxLoopDelayMs.some((d) => d > 250));
  if (stalls.length) {
    notes.push(`${sys.label}: event loop of an instance stalled > 250 ms in ${stalls.length} of ${list.length} runs (longest ${fmtInt(Math.max(...list.flatMap((x) => x.maxLoopDelayMs)))} ms)`);
  }
  const diag = (list.at(-1)?.serverDiagnostics ?? []).filter(Boolean);
  if (diag.some((d) => Object.values(d).some((v) => v))) notes.push(`${sys.label}: server events so far per instance: ${diag.map((d) => JSON.stringify(d)).join(" / ")}`);
  const errors = sum((x) => x.errors);
  if (errors) notes.push(`${sys.label}: ${errors} publishes failed (first: ${list.find((x) => x.firstError)?.firstError})`);
  const missed = sum((x) => x.missed);
  if (missed) notes.push(`${sys.label}: ${missed} publishes skipped: more than 10,000 publishes awaited Redis`);
  const stalled = list.filter((x) => x.stalled).length;
  if (stalled) notes.push(`${sys.label}: the full-rate publisher stalled (no client progress for 2 s) and stopped early in ${stalled} run(s)`);
  const lost = sum((x) => x.lost);
  if (mode === "rate" && lost !== 0) notes.push(`WARNING ${sys.label}: ${lost} deliveries lost at the fixed rate (must be 0)`);
  return notes;
}

/** The note on phases that ran while other processes used more than 10% of a core; null when none did. */
export function disturbedNote(phases) {
  const disturbed = phases.filter((x) => x.otherCpuS > 0.1 * x.wallS);
  if (!disturbed.length) return null;
  return (
    `${disturbed.length} of ${phases.length} phases ran while other processes used more than 10% of a core ` +
    `(up to ${fmtFixed(Math.max(...disturbed.map((x) => x.otherCpuS / x.wallS)), 2)} cores): figures from a shared machine; compare the systems within this run only`
  );
}

/** "server CPU s (#1+#2)" cell: `1.23 (0.70+0.53)`. */
export const cpuCell = (r) => `${fmtFixed(r.serverCpuS, 2)} (${r.instanceCpuS.map((c) => fmtFixed(c, 2)).join("+")})`;

/** "lost / expected" cell, summed over every round. */
export const lostCell = (list) => `${fmtInt(list.reduce((n, x) => n + x.lost, 0))} / ${fmtInt(list.reduce((n, x) => n + x.expected, 0))}`;

/** Commands per publish from a `{ name: count }` map: the total and "evalsha 1.00 + publish 1.00". */
export function perPublish(map, published) {
  const entries = Object.entries(map ?? {})
    .filter(([n]) => !HARNESS_COMMANDS.has(n))
    .sort((a, b) => b[1] - a[1]);
  return {
    total: published ? entries.reduce((n, [, c]) => n + c, 0) / published : Number.NaN,
    text: entries.map(([n, c]) => `${n} ${fmtFixed(c / published, 2)}`).join(" + ") || "none",
  };
}

/**
 * One system's chosen run `r` as the channel-fanout and record-updates tables show it: the notes under the table
 * (per-round figures, Redis commands per `unit`, MONITOR accounting `acc`, problems) and the cells both tables
 * have. `rounds` names the per-round figure ("deliveries/s", "updates delivered/s").
 */
export function describeSubscriberRun(sys, mode, r, list, acc, { unit, rounds }) {
  const client = perPublish(acc?.client, acc?.published);
  const lua = perPublish(acc?.lua, acc?.published);
  const notes = [
    `${sys.label}: ${rounds} by round ${list.map((x) => fmtInt(x.deliveriesPerS)).join(" / ")}; INFO commandstats in the run shown: ` +
      `${r.commands.map(([n, c]) => `${n} ${fmtFixed(c / r.published, 2)}`).join(" + ") || "none"} per ${unit}; ` +
      `MONITOR accounting (${fmtInt(acc?.published)} ${unit}s at the fixed rate): client-sent ${client.text}, inside Lua ${lua.text}`,
    ...problemNotes(sys, mode, list),
  ];
  const cells = {
    system: sys.label,
    pps: fmtInt(r.publishesPerS),
    dps: fmtInt(r.deliveriesPerS),
    lost: lostCell(list),
    p50: fmtFixed(r.p50, 2),
    p99: fmtFixed(r.p99, 2),
    bytes: fmtInt(r.bytesPerDelivery),
    cmdsAll: fmtFixed(r.cmdsPerPublish, 2),
    cmdsClient: fmtFixed(client.total, 2),
    cpu: cpuCell(r),
    perCpu: fmtInt(r.perCpuS),
    redisCpu: fmtFixed(r.redisCpuS, 2),
    loadCpu: fmtFixed(r.loadCpuS, 2),
    other: fmtFixed(r.otherCpuS, 2),
  };
  return { notes, cells, clientCmds: client.total };
}

