// Scenario `record-updates`: a ~2 KB meshwork record (`bench:doc`, servers/recordDoc.mjs) across 2 instances on one
// Redis, 200 subscribers (100 + 100) in patch mode, then in full mode, beside Socket.IO broadcasting the full value to
// a room of 200 (io.to(room).emit), same run. Instance #1 writes with publishRecordUpdate("bench:doc", value), each
// update changing `seq` and `t` only, as the updates come (one writer that does not wait, as Socket.IO's emit does
// not), and in the row "awaiting each write", each write waiting for the previous one; at a fixed rate and at full
// rate (flow-controlled window). Machinery: scenarios/fanout.mjs. Settings BENCH_RU_*: SYSTEMS
// (mw-patch,mw-patch-await,mw-full,socketio), CLIENTS (200), RATE (50 updates/s), DURATION_MS (2500), WARMUP_MS
// (1500), ACCOUNTING_MS (1000), ROUNDS (3), WINDOW (32), DRAIN_MS (5000), MAX_PUBLISHES.
import { pickMedian, split } from "../lib/stats.mjs";
import { columns, fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";
import { serverModule } from "../servers/index.mjs";
import { docBytes } from "../servers/recordDoc.mjs";
import { fanoutConfig, runFanout } from "./fanout.mjs";
import { describeSubscriberRun, disturbedNote, perPublish, ratiosByRound } from "./fanoutTables.mjs";

export const id = "record-updates";

const meshwork = (id, label, client, options = {}) => ({
  id,
  label: `meshwork record, ${label}`,
  module: serverModule("./meshwork-fanout.mjs"),
  options: { kind: "record", ...options },
  client,
  target: "bench:doc",
  // How the record's Redis key and bus channel appear in MONITOR lines (key components escape ":" as %3A).
  monitorTarget: "bench%3Adoc",
});

/** @type {import("./fanout.mjs").FanoutSystem[]} */
const SYSTEMS = [
  meshwork("mw-patch", "patch mode", "mw-record-patch"),
  meshwork("mw-patch-await", "patch mode, awaiting each write", "mw-record-patch", { awaitEach: true }),
  meshwork("mw-full", "full mode", "mw-record-full"),
  { id: "socketio", label: "Socket.IO room, full value", module: serverModule("./socketio-cluster.mjs"), options: { record: true }, client: "socketio", target: "tick" },
];

const COLUMNS = columns({
  system: "system",
  pps: "updates/s",
  dps: "updates delivered/s",
  lost: "lost / expected",
  p50: "p50 ms",
  p99: "p99 ms",
  bytes: "bytes / delivered update",
  cmdsAll: "Redis cmds/update (all commandstats)",
  cmdsClient: "Redis cmds/update (client-sent)",
  cpu: "server CPU s (#1+#2)",
  perCpu: "deliveries / server CPU-s",
  vsSio: "vs Socket.IO (delivered/s)",
  redisCpu: "Redis CPU s",
  loadCpu: "load CPU s",
  other: "other CPU s",
});

const verdict = (ok) => (ok ? "met" : "MISSED");

function goalNotes(mode, chosen, clientCmds, runs, accounting) {
  const goals = [];
  const { patch, full, sio, awaiting } = chosen;
  if (patch && full) {
    const x = patch.bytesPerDelivery / full.bytesPerDelivery;
    goals.push(`patch bytes/update ${fmtInt(patch.bytesPerDelivery)} = ${fmtFixed(100 * x, 1)}% of full mode's ${fmtInt(full.bytesPerDelivery)} (goal < 10%): ${verdict(x < 0.1)}`);
  }
  if (patch) {
    // Commands per update that name the record: what an update costs Redis, heartbeats apart.
    const acc = accounting.get("mw-patch");
    const onTarget = perPublish(acc?.onTarget, acc?.published);
    goals.push(
      `Redis cmds/update: client-sent ${fmtFixed(clientCmds, 2)} (goal ≤ 4): ${verdict(clientCmds <= 4)}; ` +
        `commands on the record's key or channel, client-sent and in Lua, ${fmtFixed(onTarget.total, 2)} (${onTarget.text}) (goal ≤ 4): ${verdict(onTarget.total <= 4)}; ` +
        `all commandstats ${fmtFixed(patch.cmdsPerPublish, 2)}, heartbeats and sweeps of the instances included`,
    );
  }
  if (mode === "full" && patch && sio) {
    const x = patch.deliveriesPerS / sio.deliveriesPerS;
    const rounds = ratiosByRound(runs.get("mw-patch").full, runs.get("socketio").full, "deliveriesPerS");
    goals.push(`patch-mode updates delivered/s at full rate ${fmtRatio(x)} Socket.IO full-value broadcast (goal ≥ 1.5×): ${verdict(x >= 1.5)} (round by round ${rounds.map(fmtRatio).join(" ")})`);
    if (awaiting) goals.push(`for comparison, a writer awaiting each write: ${fmtRatio(awaiting.deliveriesPerS / sio.deliveriesPerS)} Socket.IO (no goal)`);
  }
  return goals;
}

function tables(cfg, runs, accounting, redisVersion) {
  const disturbed = disturbedNote([...runs.values()].flatMap((m) => [...m.rate, ...m.full]));
  return cfg.modes.map((mode) => {
    const chosen = new Map(cfg.systems.map((s) => [s.id, pickMedian(runs.get(s.id)[mode])]));
    const sio = chosen.get("socketio");
    const notes = [];
    let patchClientCmds;
    const rows = cfg.systems.map((sys) => {
      const r = chosen.get(sys.id);
      if (!r) return { system: sys.label, pps: "FAILED" };
      const units = { unit: "update", rounds: "updates delivered/s" };
      const described = describeSubscriberRun(sys, mode, r, runs.get(sys.id)[mode], accounting.get(sys.id), units);
      notes.push(...described.notes);
      if (sys.id === "mw-patch") patchClientCmds = described.clientCmds;
      return { ...described.cells, vsSio: sio ? fmtRatio(r.deliveriesPerS / sio.deliveriesPerS) : "n/a" };
    });
    const named = { patch: chosen.get("mw-patch"), full: chosen.get("mw-full"), sio, awaiting: chosen.get("mw-patch-await") };
    const goals = goalNotes(mode, named, patchClientCmds, runs, accounting);
    if (goals.length) notes.unshift(`goals (meshwork): ${goals.join("; ")}`);
    if (disturbed) notes.push(disturbed);
    notes.unshift(
      `${mode === "rate" ? `fixed rate ${fmtInt(cfg.ratePerS)} updates/s (${fmtInt(cfg.ratePerS * cfg.clients)} deliveries/s expected)` : `full rate: one writer, at most ${cfg.window} updates not yet received by every subscriber (the "awaiting each write" row: each write also waits for the previous one)`}; ` +
        `${fmtInt(cfg.durationMs)} ms per phase, ${cfg.rounds} rounds (order rotated), the median run by deliveries per server CPU-s shown, lost / expected summed over rounds. ` +
        `Each system: its own redis-server ${redisVersion}, 2 instances, ${cfg.clients} subscribers (${split(cfg.clients, 2).join(" + ")}); record value ${fmtInt(docBytes())} bytes of JSON, each update changes seq and t. ` +
        "Latency = subscriber receive − writer send time (machine-wide monotonic clock). bytes/update = received WebSocket text frame (Socket.IO: the Engine.IO packet text). " +
        "Redis cmds/update (all) = INFO commandstats ÷ updates (Redis 7.0 also counts commands run inside Lua); client-sent = MONITOR lines not marked `lua`, in a separate unmeasured fixed-rate phase. " +
        "vs Socket.IO = updates delivered/s ratio.",
    );
    const shape = mode === "rate" ? `fixed rate: ${fmtInt(cfg.ratePerS)} updates/s` : "full rate (one writer)";
    return { title: `Record updates, ${shape}, ${cfg.clients} subscribers on 2 instances`, columns: COLUMNS, rows, notes };
  });
}

const config = () => fanoutConfig("RU", SYSTEMS, { clients: 200, rounds: 3, paddingBytes: 0, countBytes: true, accounting: true });

export const run = (ctx) => runFanout(ctx, { id, keyTag: `bench-${id}`, config, tables });
