// Scenario `record-updates` (opt-in: BENCH_SCENARIOS=record-updates): a ~2 KB meshwork record (`bench:doc`,
// servers/recordDoc.mjs) across 2 instances on one Redis, 200 subscribers (100 + 100) in patch mode, then in
// full mode, beside Socket.IO broadcasting the full value to a room of 200 (io.to(room).emit), same run.
// Instance #1 writes with publishRecordUpdate("bench:doc", value), each update changing `seq` and `t` only, as
// the updates come (one writer that does not wait, as Socket.IO's emit does not), and in the row "awaiting each
// write", each write waiting for the previous one; at a fixed rate and at full rate (flow-controlled window).
// Machinery: scenarios/fanoutCommon.mjs. Settings: BENCH_RU_CLIENTS (200), BENCH_RU_RATE (50 updates/s),
// BENCH_RU_DURATION_MS (2500), BENCH_RU_WARMUP_MS (1500), BENCH_RU_ROUNDS (3), BENCH_RU_WINDOW (32),
// BENCH_RU_DRAIN_MS (5000), BENCH_RU_SYSTEMS (mw-patch,mw-patch-await,mw-full,socketio).
import { fileURLToPath } from "node:url";
import { split } from "../lib/harness.mjs";
import { fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";
import { docBytes } from "../servers/recordDoc.mjs";
import { envInt, pickMedian } from "../lib/fanoutPhase.mjs";
import { describeRun, disturbedNote, perPublish, runSystems } from "./fanoutCommon.mjs";

export const id = "record-updates";

// How the record's Redis key and bus channel appear in MONITOR lines (key components escape ":" as %3A).
const RECORD_KEY_TEXT = "bench%3Adoc";
const here = (f) => fileURLToPath(new URL(f, import.meta.url));

export const SYSTEMS = [
  { id: "mw-patch", label: "meshwork record, patch mode", module: here("../servers/meshwork-record.mjs"), client: "mw-record-patch", target: "bench:doc", monitorTarget: RECORD_KEY_TEXT, options: {} },
  { id: "mw-patch-await", label: "meshwork record, patch mode, awaiting each write", module: here("../servers/meshwork-record.mjs"), client: "mw-record-patch", target: "bench:doc", monitorTarget: RECORD_KEY_TEXT, options: { awaitEach: true } },
  { id: "mw-full", label: "meshwork record, full mode", module: here("../servers/meshwork-record.mjs"), client: "mw-record-full", target: "bench:doc", monitorTarget: RECORD_KEY_TEXT, options: {} },
  { id: "socketio", label: "Socket.IO room, full value", module: here("../servers/socketio-record.mjs"), client: "socketio", target: "tick", options: {} },
];

function loadConfig() {
  const ids = (process.env.BENCH_RU_SYSTEMS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return {
    systems: ids.length ? ids.map((i) => SYSTEMS.find((s) => s.id === i) ?? (() => { throw new Error(`unknown record-updates system ${i}`); })()) : SYSTEMS,
    clients: envInt("BENCH_RU_CLIENTS", 200, { min: 2, max: 20_000 }),
    ratePerS: envInt("BENCH_RU_RATE", 50, { min: 1, max: 100_000 }),
    warmupMs: envInt("BENCH_RU_WARMUP_MS", 1_500, { max: 60_000 }),
    accountingMs: envInt("BENCH_RU_ACCOUNTING_MS", 1_000, { min: 100, max: 60_000 }),
    durationMs: envInt("BENCH_RU_DURATION_MS", 2_500, { min: 200, max: 120_000 }),
    window: envInt("BENCH_RU_WINDOW", 32, { min: 1, max: 10_000 }),
    rounds: envInt("BENCH_RU_ROUNDS", 3, { min: 1, max: 20 }),
    paddingBytes: 0,
    maxBroadcasts: envInt("BENCH_RU_MAX_UPDATES", 1_000_000, { min: 1 }),
    drainMs: envInt("BENCH_RU_DRAIN_MS", 5_000, { min: 100, max: 60_000 }),
  };
}

/** Commands per update that name the record (MONITOR accounting): what an update costs Redis, heartbeats apart. */
function onTargetTotal(acc) {
  return perPublish(acc?.onTarget, acc?.published).total;
}

function onTargetText(acc) {
  const { total, text } = perPublish(acc?.onTarget, acc?.published);
  return `${fmtFixed(total, 2)} (${text})`;
}

export async function run(ctx) {
  const cfg = loadConfig();
  const { runs, accounting, failures, redisVersion } = await runSystems(ctx, cfg, id);
  const tables = [];
  const verdict = (ok) => (ok ? "met" : "MISSED");
  for (const mode of ["rate", "full"]) {
    const chosen = new Map(cfg.systems.map((s) => [s.id, pickMedian(runs.get(s.id)[mode])]));
    const sio = chosen.get("socketio");
    const patch = chosen.get("mw-patch");
    const full = chosen.get("mw-full");
    const notes = [];
    const rows = cfg.systems.map((sys) => {
      const r = chosen.get(sys.id);
      if (!r) return { system: sys.label, ups: "FAILED" };
      const list = runs.get(sys.id)[mode];
      const { notes: more, cells, clientCmds } = describeRun(sys, r, list, accounting.get(sys.id), { unit: "update", rounds: "updates delivered/s" });
      notes.push(...more);
      sys.clientCmds = clientCmds;
      return { ...cells, ups: fmtInt(r.publishesPerS), vsSio: sio ? fmtRatio(r.deliveriesPerS / sio.deliveriesPerS) : "n/a" };
    });
    const goals = [];
    if (patch && full) {
      const x = patch.bytesPerDelivery / full.bytesPerDelivery;
      goals.push(`patch bytes/update ${fmtInt(patch.bytesPerDelivery)} = ${fmtFixed(100 * x, 1)}% of full mode's ${fmtInt(full.bytesPerDelivery)} (goal < 10%): ${verdict(x < 0.1)}`);
    }
    const mwPatchSys = cfg.systems.find((s) => s.id === "mw-patch");
    if (patch && mwPatchSys) {
      goals.push(
        `Redis cmds/update: client-sent ${fmtFixed(mwPatchSys.clientCmds, 2)} (goal ≤ 4): ${verdict(mwPatchSys.clientCmds <= 4)}; ` +
          `commands on the record's key or channel, client-sent and in Lua, ${onTargetText(accounting.get("mw-patch"))} (goal ≤ 4): ${verdict(onTargetTotal(accounting.get("mw-patch")) <= 4)}; ` +
          `all commandstats ${fmtFixed(patch.cmdsPerPublish, 2)}, heartbeats and sweeps of the instances included`,
      );
    }
    if (mode === "full" && patch && sio) {
      const x = patch.deliveriesPerS / sio.deliveriesPerS;
      const rounds = runs.get("mw-patch").full.map((r) => {
        const s = runs.get("socketio").full.find((q) => q.round === r.round);
        return s ? fmtRatio(r.deliveriesPerS / s.deliveriesPerS) : "n/a";
      });
      goals.push(`patch-mode updates delivered/s at full rate ${fmtRatio(x)} Socket.IO full-value broadcast (goal ≥ 1.5×): ${verdict(x >= 1.5)} (round by round ${rounds.join(" ")})`);
      const awaiting = chosen.get("mw-patch-await");
      if (awaiting) goals.push(`for comparison, a writer awaiting each write: ${fmtRatio(awaiting.deliveriesPerS / sio.deliveriesPerS)} Socket.IO (no goal)`);
    }
    if (goals.length) notes.unshift(`goals (meshwork): ${goals.join("; ")}`);
    const d = disturbedNote(runs);
    if (d) notes.push(d);
    notes.unshift(
      `${mode === "rate" ? `fixed rate ${fmtInt(cfg.ratePerS)} updates/s (${fmtInt(cfg.ratePerS * cfg.clients)} deliveries/s expected)` : `full rate: one writer, at most ${cfg.window} updates not yet received by every subscriber (the "awaiting each write" row: each write also waits for the previous one)`}; ` +
        `${fmtInt(cfg.durationMs)} ms per phase, ${cfg.rounds} rounds (order rotated), the median run by deliveries per server CPU-s shown, lost / expected summed over rounds. ` +
        `Each system: its own redis-server ${redisVersion}, 2 instances, ${cfg.clients} subscribers (${split(cfg.clients, 2).join(" + ")}); record value ${fmtInt(docBytes())} bytes of JSON, each update changes seq and t. ` +
        "Latency = subscriber receive − writer send time (machine-wide monotonic clock). bytes/update = received WebSocket text frame (Socket.IO: the Engine.IO packet text). " +
        "Redis cmds/update (all) = INFO commandstats ÷ updates (Redis 7.0 also counts commands run inside Lua); client-sent = MONITOR lines not marked `lua`, in a separate unmeasured fixed-rate phase. " +
        "vs Socket.IO = updates delivered/s ratio.",
    );
    tables.push({
      title: `Record updates, ${mode === "rate" ? `fixed rate: ${fmtInt(cfg.ratePerS)} updates/s` : "full rate (one writer)"}, ${cfg.clients} subscribers on 2 instances`,
      columns: [
        { key: "system", title: "system", align: "left" },
        { key: "ups", title: "updates/s" },
        { key: "dps", title: "updates delivered/s" },
        { key: "lost", title: "lost / expected" },
        { key: "p50", title: "p50 ms" },
        { key: "p99", title: "p99 ms" },
        { key: "bytes", title: "bytes / delivered update" },
        { key: "cmdsAll", title: "Redis cmds/update (all commandstats)" },
        { key: "cmdsClient", title: "Redis cmds/update (client-sent)" },
        { key: "cpu", title: "server CPU s (#1+#2)" },
        { key: "perCpu", title: "deliveries / server CPU-s" },
        { key: "vsSio", title: "vs Socket.IO (delivered/s)" },
        { key: "redisCpu", title: "Redis CPU s" },
        { key: "loadCpu", title: "load CPU s" },
        { key: "other", title: "other CPU s" },
      ],
      rows,
      notes,
    });
  }
  return { tables, failures, results: Object.fromEntries(runs) };
}
