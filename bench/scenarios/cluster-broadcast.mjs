// Scenario `cluster-broadcast`: a room broadcast across two server instances coordinated through Redis, for
// meshwork, Socket.IO 4 with @socket.io/redis-adapter, and a minimal relay (plain `ws` servers forwarding one Redis
// PUBLISH per message), all in the same run (machinery: scenarios/fanout.mjs). Each system: its own redis-server,
// 2 instances, 400 clients (200 + 200) in one room; instance #1 broadcasts `tick` payloads `{ seq, t, data }`
//   - at a fixed rate (BENCH_CB_RATE broadcasts/s: 50 → 20,000 deliveries/s; 2 cores cannot sustain 80,000
//     deliveries/s for 400 clients with the servers, clients and Redis on them), and
//   - at full rate: one broadcast per event-loop turn, at most BENCH_CB_WINDOW not yet received by every client.
// 5 rounds of 2.5 s phases. Per phase: deliveries, lost, publish-to-deliver latency, Redis commands per broadcast
// (INFO commandstats after CONFIG RESETSTAT), server CPU of both instances over the phase and its drain, write
// system calls per delivery (/proc/<pid>/io), Redis's own CPU (INFO cpu), deliveries per server CPU-second.
// Settings BENCH_CB_*: SYSTEMS (meshwork,socketio,relay), MODES (rate,full), CLIENTS (400), RATE (50),
// DURATION_MS (2500), WARMUP_MS (1500), ROUNDS (5), WINDOW (32), PADDING (64), DRAIN_MS (5000), MAX_PUBLISHES.
import { median, pickMedian, split } from "../lib/stats.mjs";
import { columns, fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";
import { serverModule } from "../servers/index.mjs";
import { fanoutConfig, runFanout } from "./fanout.mjs";
import { cpuCell, disturbedNote, lostCell, problemNotes, ratiosByRound } from "./fanoutTables.mjs";

export const id = "cluster-broadcast";

/** @type {import("./fanout.mjs").FanoutSystem[]} */
const SYSTEMS = [
  { id: "meshwork", label: "meshwork", module: serverModule("./meshwork-fanout.mjs"), options: { kind: "room" }, client: "meshwork", target: "tick", roomScope: "cluster" },
  { id: "socketio", label: "Socket.IO + redis-adapter", module: serverModule("./socketio-cluster.mjs"), client: "socketio", target: "tick" },
  { id: "relay", label: "minimal ws relay", module: serverModule("./ws-relay-cluster.mjs"), client: "relay", target: "tick" },
];

const COLUMNS = columns({
  system: "system",
  bps: "broadcasts/s",
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

const verdict = (ok) => (ok ? "met" : "MISSED");

function tables(cfg, runs, _accounting, redisVersion) {
  return cfg.modes.map((mode) => {
    const list = (sysId) => runs.get(sysId)?.[mode] ?? [];
    const chosen = new Map(cfg.systems.map((sys) => [sys.id, pickMedian(list(sys.id))]));
    const socketio = chosen.get("socketio");
    const relay = chosen.get("relay");
    const notes = [];
    const rows = cfg.systems.map((sys) => {
      const r = chosen.get(sys.id);
      if (!r) return { system: sys.label, bps: "FAILED" };
      const commands = r.commands.map(([name, calls]) => `${name} ${fmtInt(calls)} (${fmtFixed(calls / r.published, 3)})`).join(", ") || "none";
      notes.push(
        `${sys.label}: deliveries per server CPU-s by round: ${list(sys.id).map((x) => fmtInt(x.perCpuS)).join(" / ")}; ` +
          `Redis cmds/broadcast max ${fmtFixed(Math.max(...list(sys.id).map((x) => x.cmdsPerPublish)), 3)}; ` +
          `Redis commands in the run shown: ${fmtInt(r.redisCalls)} for ${fmtInt(r.published)} broadcasts: ${commands}`,
        ...problemNotes(sys, mode, list(sys.id)),
      );
      return {
        system: sys.label,
        bps: fmtInt(r.publishesPerS),
        dps: fmtInt(r.deliveriesPerS),
        lost: lostCell(list(sys.id)),
        p50: fmtFixed(r.p50, 2),
        p99: fmtFixed(r.p99, 2),
        cmds: fmtFixed(r.cmdsPerPublish, 3),
        cpu: cpuCell(r),
        perCpu: fmtInt(r.perCpuS),
        userSys: `${fmtFixed(r.userUsPerDelivery, 1)} / ${fmtFixed(r.systemUsPerDelivery, 1)}`,
        writes: fmtFixed(r.writesPerDelivery, 2),
        vsSio: socketio ? fmtRatio(r.perCpuS / socketio.perCpuS) : "n/a",
        vsRelay: relay ? fmtRatio(r.perCpuS / relay.perCpuS) : "n/a",
        redisCpu: fmtFixed(r.redisCpuS, 2),
        loadCpu: fmtFixed(r.loadCpuS, 2),
        other: fmtFixed(r.otherCpuS, 2),
      };
    });
    const disturbed = disturbedNote(cfg.systems.flatMap((sys) => list(sys.id)));
    if (disturbed) notes.push(disturbed);
    const mesh = chosen.get("meshwork");
    if (mesh) {
      // Ratios also taken round by round: the systems of one round ran seconds apart, under the same background load.
      const against = (other, otherId, goal, text) => {
        const x = mesh.perCpuS / other.perCpuS;
        const rounds = ratiosByRound(list("meshwork"), list(otherId), "perCpuS");
        return `${text}${fmtRatio(x)} ${otherId === "socketio" ? "Socket.IO's" : "the relay's"} (goal ≥ ${goal.toFixed(2)}×): ${verdict(x >= goal)} (round by round ${rounds.map(fmtRatio).join(" ")}, median ${fmtRatio(median(rounds))})`;
      };
      const goals = [`Redis cmds/broadcast ${fmtFixed(mesh.cmdsPerPublish, 3)} ≤ 2: ${verdict(mesh.cmdsPerPublish <= 2)}`];
      if (socketio) goals.push(against(socketio, "socketio", 1.1, "deliveries per server CPU-s "));
      if (relay) goals.push(against(relay, "relay", 0.9, ""));
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
        "and its drain; server write syscalls / delivery = write-class system calls of both instances (/proc/<pid>/io syscw) ÷ deliveries; " +
        "Redis CPU s = INFO cpu (not in server CPU); other CPU s = the machine's busy time used by none of the bench's processes nor interrupts.",
    );
    const title =
      mode === "rate"
        ? `Cross-instance room broadcast, fixed rate: ${fmtInt(cfg.ratePerS)} broadcasts/s to ${cfg.clients} clients on 2 instances`
        : `Cross-instance room broadcast, full rate: ${cfg.clients} clients on 2 instances, ≤ ${cfg.window} broadcasts in flight`;
    return { title, columns: COLUMNS, rows, notes };
  });
}

const config = () => fanoutConfig("CB", SYSTEMS, { clients: 400, rounds: 5, paddingBytes: 64 });

export const run = (ctx) => runFanout(ctx, { id, keyTag: "bench-cb", config, tables });
