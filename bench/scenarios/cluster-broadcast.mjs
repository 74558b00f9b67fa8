// Scenario `cluster-broadcast`: a room broadcast across two instances on Redis for meshwork, Socket.IO with
// @socket.io/redis-adapter and a minimal ws + Redis PUBLISH relay (bench/README.md). Settings: BENCH_CB_*.
import { median } from "../lib/stats.mjs";
import { columns, fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";
import { fanoutConfig, fanoutSystem, runFanout } from "./fanout.mjs";
import { baseCells, fanoutTables, headerNote, problemNotes, ratiosByRound, verdict } from "./fanoutTables.mjs";

export const id = "cluster-broadcast";

const SYSTEMS = [
  fanoutSystem("meshwork", "meshwork", "meshwork-fanout", "meshwork", {
    options: { kind: "room" },
    roomScope: "cluster",
  }),
  fanoutSystem("socketio", "Socket.IO + redis-adapter", "socketio-cluster", "socketio"),
  fanoutSystem("relay", "minimal ws relay", "ws-relay-cluster", "relay"),
];

const COLUMNS = columns({
  system: "system",
  pps: "broadcasts/s",
  dps: "deliveries/s",
  lost: "lost / expected",
  p50: "p50 ms",
  p99: "p99 ms",
  cmds: "Redis cmds/broadcast",
  cpu: "server CPU s (#1+#2)",
  perCpu: "deliveries / server CPU-s",
  userSys: "server µs / delivery user / sys",
  writes: "write syscalls / delivery",
  vsSio: "vs Socket.IO",
  vsRelay: "vs relay",
  redisCpu: "Redis CPU s",
  loadCpu: "load CPU s",
  other: "other CPU s",
});

function row(t, sys, r) {
  const list = t.list(sys.id);
  const commands = r.commands.map(([name, n]) => `${name} ${fmtInt(n)} (${fmtFixed(n / r.published, 3)})`);
  t.notes.push(
    `${sys.label}: deliveries per server CPU-s by round: ${list.map((x) => fmtInt(x.perCpuS)).join(" / ")}; ` +
      `Redis cmds/broadcast max ${fmtFixed(Math.max(...list.map((x) => x.cmdsPerPublish)), 3)}; Redis commands ` +
      `in the run shown: ${fmtInt(r.redisCalls)} for ${fmtInt(r.published)} broadcasts: ` +
      `${commands.join(", ") || "none"}`,
    ...problemNotes(sys, t.mode, list),
  );
  const vs = (other) => (other ? fmtRatio(r.perCpuS / other.perCpuS) : "n/a");
  return {
    ...baseCells(sys, r, list),
    cmds: fmtFixed(r.cmdsPerPublish, 3),
    userSys: `${fmtFixed(r.userUsPerDelivery, 1)} / ${fmtFixed(r.systemUsPerDelivery, 1)}`,
    writes: fmtFixed(r.writesPerDelivery, 2),
    vsSio: vs(t.chosen.get("socketio")),
    vsRelay: vs(t.chosen.get("relay")),
  };
}

function goals(t) {
  const mesh = t.chosen.get("meshwork");
  if (!mesh) return [];
  const goals = [`Redis cmds/broadcast ${fmtFixed(mesh.cmdsPerPublish, 3)} ≤ 2: ${verdict(mesh.cmdsPerPublish <= 2)}`];
  // Ratios also taken round by round: the systems of one round ran seconds apart, under the same background load.
  const against = (otherId, goal, label) => {
    const other = t.chosen.get(otherId);
    if (!other) return;
    const x = mesh.perCpuS / other.perCpuS;
    const rounds = ratiosByRound(t.list("meshwork"), t.list(otherId), "perCpuS");
    const byRound = `round by round ${rounds.map(fmtRatio).join(" ")}, median ${fmtRatio(median(rounds))}`;
    goals.push(`${label(fmtRatio(x))} (goal ≥ ${goal.toFixed(2)}×): ${verdict(x >= goal)} (${byRound})`);
  };
  against("socketio", 1.1, (x) => `deliveries per server CPU-s ${x} Socket.IO's`);
  against("relay", 0.9, (x) => `${x} the relay's`);
  return goals;
}

const tables = fanoutTables({
  columns: COLUMNS,
  disturbedPerMode: true,
  title: ({ cfg, mode }) =>
    `Cross-instance room broadcast, ${
      mode === "rate"
        ? `fixed rate: ${fmtInt(cfg.ratePerS)} broadcasts/s to ${cfg.clients} clients on 2 instances`
        : `full rate: ${cfg.clients} clients on 2 instances, ≤ ${cfg.window} broadcasts in flight`
    }`,
  header: (t) => headerNote(t, "broadcasts", `one room, #1 publishes {seq, t, data: ${t.cfg.paddingBytes} bytes}`),
  row,
  goals,
});

const config = () => fanoutConfig("CB", SYSTEMS, { clients: 400, rounds: 5, paddingBytes: 64 });

export const run = (ctx) => runFanout(ctx, { id, keyTag: "bench-cb", config, tables });
