// Scenario `channel-fanout`: meshwork channels across 2 instances on one Redis, 400 subscribers (200 + 200),
// instance #1 calling publishToChannel("bench", {seq, t, data}, history) with history 0 and 50, beside Socket.IO
// room broadcast (io.to(room).emit) in the same run; at a fixed rate and at full rate (flow-controlled window).
// Machinery: scenarios/fanout.mjs. Settings BENCH_CF_*: SYSTEMS (mw-h0,mw-h50,socketio), CLIENTS (400), RATE (50
// publishes/s), DURATION_MS (2500), WARMUP_MS (1500), ACCOUNTING_MS (1000), ROUNDS (3), WINDOW (32), PADDING (64),
// DRAIN_MS (5000), MAX_PUBLISHES.
import { pickMedian, split } from "../lib/stats.mjs";
import { columns, fmtInt, fmtRatio } from "../lib/table.mjs";
import { serverModule } from "../servers/index.mjs";
import { fanoutConfig, runFanout } from "./fanout.mjs";
import { describeSubscriberRun, disturbedNote } from "./fanoutTables.mjs";

export const id = "channel-fanout";

const meshwork = (history) => ({
  id: `mw-h${history}`,
  label: `meshwork channel, history ${history}`,
  module: serverModule("./meshwork-fanout.mjs"),
  options: { kind: "channel", history },
  client: "mw-channel",
  target: "bench",
});

/** @type {import("./fanout.mjs").FanoutSystem[]} */
const SYSTEMS = [
  meshwork(0),
  meshwork(50),
  { id: "socketio", label: "Socket.IO room broadcast", module: serverModule("./socketio-cluster.mjs"), client: "socketio", target: "tick" },
];

const COLUMNS = columns({
  system: "system",
  pps: "publishes/s",
  dps: "deliveries/s",
  lost: "lost / expected",
  p50: "p50 ms",
  p99: "p99 ms",
  bytes: "bytes / delivery",
  cmdsAll: "Redis cmds/publish (all commandstats)",
  cmdsClient: "Redis cmds/publish (client-sent)",
  cpu: "server CPU s (#1+#2)",
  perCpu: "deliveries / server CPU-s",
  vsSio: "vs Socket.IO",
  redisCpu: "Redis CPU s",
  other: "other CPU s",
});

function tables(cfg, runs, accounting, redisVersion) {
  const disturbed = disturbedNote([...runs.values()].flatMap((m) => [...m.rate, ...m.full]));
  return cfg.modes.map((mode) => {
    const chosen = new Map(cfg.systems.map((s) => [s.id, pickMedian(runs.get(s.id)[mode])]));
    const sio = chosen.get("socketio");
    const notes = [];
    const rows = cfg.systems.map((sys) => {
      const r = chosen.get(sys.id);
      if (!r) return { system: sys.label, dps: "FAILED" };
      const units = { unit: "publish", rounds: "deliveries/s" };
      const described = describeSubscriberRun(sys, mode, r, runs.get(sys.id)[mode], accounting.get(sys.id), units);
      notes.push(...described.notes);
      return { ...described.cells, vsSio: sio ? fmtRatio(r.perCpuS / sio.perCpuS) : "n/a" };
    });
    if (disturbed) notes.push(disturbed);
    notes.unshift(
      `${mode === "rate" ? `fixed rate ${fmtInt(cfg.ratePerS)} publishes/s (${fmtInt(cfg.ratePerS * cfg.clients)} deliveries/s expected)` : `full rate: one publish per event-loop turn, at most ${cfg.window} not yet received by every subscriber`}; ` +
        `${fmtInt(cfg.durationMs)} ms per phase, ${cfg.rounds} rounds (order rotated), the median run by deliveries per server CPU-s shown, lost / expected summed over rounds. ` +
        `Each system: its own redis-server ${redisVersion}, 2 instances, ${cfg.clients} subscribers (${split(cfg.clients, 2).join(" + ")}), instance #1 publishes {seq, t, data: ${cfg.paddingBytes} bytes}. ` +
        "Latency = subscriber receive − publisher send (machine-wide monotonic clock). Redis cmds/publish (all) = INFO commandstats ÷ publishes (Redis 7.0 also counts commands run inside Lua); " +
        "client-sent = MONITOR lines not marked `lua`, in a separate unmeasured fixed-rate phase. bytes/delivery = received WebSocket text frame.",
    );
    const shape = mode === "rate" ? `fixed rate: ${fmtInt(cfg.ratePerS)} publishes/s` : `full rate: ≤ ${cfg.window} publishes in flight`;
    return { title: `Channel fan-out, ${shape}, ${cfg.clients} subscribers on 2 instances`, columns: COLUMNS, rows, notes };
  });
}

const config = () => fanoutConfig("CF", SYSTEMS, { clients: 400, rounds: 3, paddingBytes: 64, countBytes: true, accounting: true });

export const run = (ctx) => runFanout(ctx, { id, keyTag: `bench-${id}`, config, tables });
