// The runner of the fan-out scenarios (cluster-broadcast, channel-fanout, record-updates), which describe only their
// systems, sizes and tables: every system started (lib/fanoutSystem.mjs), then rounds of every system's fixed-rate
// phase, then every system's full-rate phase, the system order rotated each round.
import { envInt, envList, selectById } from "../lib/config.mjs";
import { runFanoutPhase, startFanoutSystem, teardownSystem } from "../lib/fanoutSystem.mjs";
import { fmtFixed, fmtInt } from "../lib/table.mjs";
import { serverModule } from "../servers/index.mjs";

/**
 * A fan-out system: `server` names its module in servers/ (run by lib/serverProcess.mjs with `options`), `client`
 * the client kind (lib/clients.mjs) following `target`; `roomScope: "cluster"` when roomSize() counts the whole
 * cluster; `monitorTarget`: MONITOR accounting also counts the commands naming this text.
 */
export const fanoutSystem = (id, label, server, client, more = {}) => ({
  id,
  label,
  module: serverModule(`./${server}.mjs`),
  client,
  target: "tick",
  ...more,
});

/** The scenario's settings: BENCH_<prefix>_* over `defaults` (clients, rounds, paddingBytes, ...). */
export function fanoutConfig(prefix, systems, defaults) {
  const env = (name, fallback, range) => envInt(`BENCH_${prefix}_${name}`, fallback, range);
  const modes = envList(`BENCH_${prefix}_MODES`) ?? ["rate", "full"];
  const unknown = modes.find((m) => m !== "rate" && m !== "full");
  if (unknown) throw new Error(`BENCH_${prefix}_MODES: unknown mode "${unknown}" (rate, full)`);
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

const phaseLog = (r) =>
  `${fmtInt(r.publishesPerS)} publishes/s, ${fmtInt(r.deliveriesPerS)} deliveries/s, ${fmtInt(r.perCpuS)} per ` +
  `server CPU-s, lost ${r.lost}/${r.expected}, p50/p99 ${fmtFixed(r.p50, 1)}/${fmtFixed(r.p99, 1)} ms, ` +
  `other CPU ${fmtFixed(r.otherCpuS, 2)} s`;

/**
 * Runs the fan-out scenario `{ id, keyTag, config(), tables(cfg, runs, accounting, redisVersion) }`; `runs` maps
 * each system id to its measured phases by mode (`{ rate: [], full: [] }`).
 */
export async function runFanout(ctx, scenario) {
  const cfg = scenario.config();
  const failures = [];
  const runs = new Map(cfg.systems.map((s) => [s.id, { rate: [], full: [] }]));
  const suts = [];
  const fail = (sys, err, what = "") => {
    failures.push({ server: sys, error: err });
    ctx.log(`${scenario.id}: ${sys.label} FAILED${what}: ${err.message}`);
  };
  try {
    for (const sys of cfg.systems) {
      const options = { keyPrefix: `${scenario.keyTag}:${process.pid}:${sys.id}:`, room: "bench", command: "tick" };
      await startFanoutSystem(ctx, cfg, sys, options, scenario.id).then(
        (sut) => suts.push(sut),
        (err) => fail(sys, err, " to start"),
      );
    }
    for (let round = 1; round <= cfg.rounds; round++) {
      for (const mode of cfg.modes) {
        const shift = (round - 1) % Math.max(1, suts.length);
        for (const sut of [...suts.slice(shift), ...suts.slice(0, shift)]) {
          if (failures.some((f) => f.server === sut.sys)) continue;
          try {
            const r = await runFanoutPhase(ctx, cfg, sut, mode, cfg.durationMs, true);
            runs.get(sut.sys.id)[mode].push({ ...r, round });
            ctx.log(`${scenario.id}: round ${round}/${cfg.rounds} ${mode} ${sut.sys.label}: ${phaseLog(r)}`);
          } catch (err) {
            fail(sut.sys, err);
          }
        }
      }
    }
  } finally {
    await Promise.all(suts.map((sut) => teardownSystem(sut)));
  }
  const accounting = new Map(suts.map((sut) => [sut.sys.id, sut.accounting]));
  return { tables: scenario.tables(cfg, runs, accounting, suts[0]?.redisVersion ?? "unknown"), failures };
}
