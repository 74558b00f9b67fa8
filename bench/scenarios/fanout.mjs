// The runner of the fan-out scenarios (cluster-broadcast, channel-fanout, record-updates). Each scenario is a
// description of what differs: its systems, sizes and tables. The runner starts every system (lib/fanoutSystem.mjs),
// checks that every client joined, warms it up, optionally counts client-sent vs script-run Redis commands in an
// unmeasured fixed-rate phase under MONITOR, then measures in rounds: each round runs the fixed-rate phase of every
// system, then the full-rate phase of every system, the system order rotating each round, so slow changes in the
// machine's background load spread evenly over the systems.
import { envInt, envList, selectById } from "../lib/config.mjs";
import { runFanoutPhase, startFanoutSystem, teardownSystem } from "../lib/fanoutSystem.mjs";
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
