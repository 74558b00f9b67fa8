// Scenario `channel-fanout` (opt-in: BENCH_SCENARIOS=channel-fanout): meshwork channels across 2 instances on
// one Redis, 400 subscribers (200 + 200), instance #1 calling publishToChannel("bench", {seq, t, data}, history)
// with history 0 and 50, beside Socket.IO room broadcast (socketio-cluster.mjs, io.to(room).emit) in the same
// run; at a fixed rate and at full rate (flow-controlled window). Machinery: scenarios/fanoutCommon.mjs.
// Settings: BENCH_CF_CLIENTS (400), BENCH_CF_RATE (50 publishes/s), BENCH_CF_DURATION_MS (2500),
// BENCH_CF_WARMUP_MS (1500), BENCH_CF_ROUNDS (3), BENCH_CF_WINDOW (32), BENCH_CF_PADDING (64), BENCH_CF_DRAIN_MS (5000),
// BENCH_CF_SYSTEMS (mw-h0,mw-h50,socketio).
import { fileURLToPath } from "node:url";
import { split } from "../lib/harness.mjs";
import { fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";
import { envInt, pickMedian } from "../lib/fanoutPhase.mjs";
import { describeRun, disturbedNote, runSystems } from "./fanoutCommon.mjs";

export const id = "channel-fanout";
const here = (f) => fileURLToPath(new URL(f, import.meta.url));

export const SYSTEMS = [
  { id: "mw-h0", label: "meshwork channel, history 0", module: here("../servers/meshwork-channel.mjs"), client: "mw-channel", target: "bench", options: { history: 0 } },
  { id: "mw-h50", label: "meshwork channel, history 50", module: here("../servers/meshwork-channel.mjs"), client: "mw-channel", target: "bench", options: { history: 50 } },
  { id: "socketio", label: "Socket.IO room broadcast", module: here("../servers/socketio-cluster.mjs"), client: "socketio", target: "tick", options: {} },
];

function loadConfig() {
  const ids = (process.env.BENCH_CF_SYSTEMS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return {
    systems: ids.length ? ids.map((i) => SYSTEMS.find((s) => s.id === i) ?? (() => { throw new Error(`unknown channel-fanout system ${i}`); })()) : SYSTEMS,
    clients: envInt("BENCH_CF_CLIENTS", 400, { min: 2, max: 20_000 }),
    ratePerS: envInt("BENCH_CF_RATE", 50, { min: 1, max: 100_000 }),
    warmupMs: envInt("BENCH_CF_WARMUP_MS", 1_500, { max: 60_000 }),
    accountingMs: envInt("BENCH_CF_ACCOUNTING_MS", 1_000, { min: 100, max: 60_000 }),
    durationMs: envInt("BENCH_CF_DURATION_MS", 2_500, { min: 200, max: 120_000 }),
    window: envInt("BENCH_CF_WINDOW", 32, { min: 1, max: 10_000 }),
    rounds: envInt("BENCH_CF_ROUNDS", 3, { min: 1, max: 20 }),
    paddingBytes: envInt("BENCH_CF_PADDING", 64, { max: 1_000_000 }),
    maxBroadcasts: envInt("BENCH_CF_MAX_PUBLISHES", 1_000_000, { min: 1 }),
    drainMs: envInt("BENCH_CF_DRAIN_MS", 5_000, { min: 100, max: 60_000 }),
  };
}

export async function run(ctx) {
  const cfg = loadConfig();
  const { runs, accounting, failures, redisVersion } = await runSystems(ctx, cfg, id);
  const tables = [];
  for (const mode of ["rate", "full"]) {
    const chosen = new Map(cfg.systems.map((s) => [s.id, pickMedian(runs.get(s.id)[mode])]));
    const sio = chosen.get("socketio");
    const notes = [];
    const rows = cfg.systems.map((sys) => {
      const r = chosen.get(sys.id);
      if (!r) return { system: sys.label, dps: "FAILED" };
      const list = runs.get(sys.id)[mode];
      const { notes: more, cells } = describeRun(sys, r, list, accounting.get(sys.id), { unit: "publish", rounds: "deliveries/s" });
      notes.push(...more);
      return { ...cells, pps: fmtInt(r.publishesPerS), vsSio: sio ? fmtRatio(r.perCpuS / sio.perCpuS) : "n/a" };
    });
    const d = disturbedNote(runs);
    if (d) notes.push(d);
    notes.unshift(
      `${mode === "rate" ? `fixed rate ${fmtInt(cfg.ratePerS)} publishes/s (${fmtInt(cfg.ratePerS * cfg.clients)} deliveries/s expected)` : `full rate: one publish per event-loop turn, at most ${cfg.window} not yet received by every subscriber`}; ` +
        `${fmtInt(cfg.durationMs)} ms per phase, ${cfg.rounds} rounds (order rotated), the median run by deliveries per server CPU-s shown, lost / expected summed over rounds. ` +
        `Each system: its own redis-server ${redisVersion}, 2 instances, ${cfg.clients} subscribers (${split(cfg.clients, 2).join(" + ")}), instance #1 publishes {seq, t, data: ${cfg.paddingBytes} bytes}. ` +
        "Latency = subscriber receive − publisher send (machine-wide monotonic clock). Redis cmds/publish (all) = INFO commandstats ÷ publishes (Redis 7.0 also counts commands run inside Lua); " +
        "client-sent = MONITOR lines not marked `lua`, in a separate unmeasured fixed-rate phase. bytes/delivery = received WebSocket text frame.",
    );
    tables.push({
      title: `Channel fan-out, ${mode === "rate" ? `fixed rate: ${fmtInt(cfg.ratePerS)} publishes/s` : `full rate: ≤ ${cfg.window} publishes in flight`}, ${cfg.clients} subscribers on 2 instances`,
      columns: [
        { key: "system", title: "system", align: "left" },
        { key: "pps", title: "publishes/s" },
        { key: "dps", title: "deliveries/s" },
        { key: "lost", title: "lost / expected" },
        { key: "p50", title: "p50 ms" },
        { key: "p99", title: "p99 ms" },
        { key: "bytes", title: "bytes / delivery" },
        { key: "cmdsAll", title: "Redis cmds/publish (all commandstats)" },
        { key: "cmdsClient", title: "Redis cmds/publish (client-sent)" },
        { key: "cpu", title: "server CPU s (#1+#2)" },
        { key: "perCpu", title: "deliveries / server CPU-s" },
        { key: "vsSio", title: "vs Socket.IO" },
        { key: "redisCpu", title: "Redis CPU s" },
        { key: "other", title: "other CPU s" },
      ],
      rows,
      notes,
    });
  }
  return { tables, failures, results: Object.fromEntries(runs) };
}
