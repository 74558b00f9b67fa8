// Scenario `record-updates`: a ~2 KB meshwork record on two instances, subscribers in patch and in full mode,
// beside Socket.IO broadcasting the full value (bench/README.md). Settings: BENCH_RU_*.
import { columns, fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";
import { docBytes } from "../servers/recordDoc.mjs";
import { fanoutConfig, fanoutSystem, runFanout } from "./fanout.mjs";
import { fanoutTables, headerNote, perPublish, ratiosByRound, subscriberRow, verdict } from "./fanoutTables.mjs";

export const id = "record-updates";

const meshwork = (id, label, client, options = {}) =>
  fanoutSystem(id, `meshwork record, ${label}`, "meshwork-fanout", client, {
    options: { kind: "record", ...options },
    target: "bench:doc",
    // How the record's Redis key and bus channel appear in MONITOR lines (key components escape ":" as %3A).
    monitorTarget: "bench%3Adoc",
  });

const SYSTEMS = [
  meshwork("mw-patch", "patch mode", "mw-record-patch"),
  meshwork("mw-patch-await", "patch mode, awaiting each write", "mw-record-patch", { awaitEach: true }),
  meshwork("mw-full", "full mode", "mw-record-full"),
  fanoutSystem("socketio", "Socket.IO room, full value", "socketio-cluster", "socketio", { options: { record: true } }),
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

function goals({ mode, chosen, list, accounting }) {
  const goals = [];
  const [patch, full, sio, awaiting] = ["mw-patch", "mw-full", "socketio", "mw-patch-await"].map((s) => chosen.get(s));
  if (patch && full) {
    const x = patch.bytesPerDelivery / full.bytesPerDelivery;
    goals.push(
      `patch bytes/update ${fmtInt(patch.bytesPerDelivery)} = ${fmtFixed(100 * x, 1)}% of full mode's ` +
        `${fmtInt(full.bytesPerDelivery)} (goal < 10%): ${verdict(x < 0.1)}`,
    );
  }
  if (patch) {
    // Commands per update that name the record: what an update costs Redis, heartbeats apart.
    const acc = accounting.get("mw-patch");
    const client = perPublish(acc?.client, acc?.published).total;
    const onTarget = perPublish(acc?.onTarget, acc?.published);
    goals.push(
      `Redis cmds/update: client-sent ${fmtFixed(client, 2)} (goal ≤ 4): ${verdict(client <= 4)}; commands on the ` +
        `record's key or channel, client-sent and in Lua, ${fmtFixed(onTarget.total, 2)} (${onTarget.text}) ` +
        `(goal ≤ 4): ${verdict(onTarget.total <= 4)}; all commandstats ${fmtFixed(patch.cmdsPerPublish, 2)}, ` +
        "heartbeats and sweeps of the instances included",
    );
  }
  if (mode === "full" && patch && sio) {
    const x = patch.deliveriesPerS / sio.deliveriesPerS;
    const rounds = ratiosByRound(list("mw-patch"), list("socketio"), "deliveriesPerS");
    goals.push(
      `patch-mode updates delivered/s at full rate ${fmtRatio(x)} Socket.IO full-value broadcast (goal ≥ 1.5×): ` +
        `${verdict(x >= 1.5)} (round by round ${rounds.map(fmtRatio).join(" ")})`,
    );
    if (awaiting) {
      const ratio = fmtRatio(awaiting.deliveriesPerS / sio.deliveriesPerS);
      goals.push(`for comparison, a writer awaiting each write: ${ratio} Socket.IO (no goal)`);
    }
  }
  return goals;
}

const tables = fanoutTables({
  columns: COLUMNS,
  title: ({ cfg, mode }) => {
    const shape = mode === "rate" ? `fixed rate: ${fmtInt(cfg.ratePerS)} updates/s` : "full rate (one writer)";
    return `Record updates, ${shape}, ${cfg.clients} subscribers on 2 instances`;
  },
  header: (t) => headerNote(t, "updates", `record value ${fmtInt(docBytes())} bytes of JSON, updates change seq and t`),
  row: (t, sys, r) => subscriberRow(t, sys, r, { unit: "update", rounds: "updates delivered/s", vs: "deliveriesPerS" }),
  goals,
});

const config = () =>
  fanoutConfig("RU", SYSTEMS, { clients: 200, rounds: 3, paddingBytes: 0, countBytes: true, accounting: true });

export const run = (ctx) => runFanout(ctx, { id, keyTag: `bench-${id}`, config, tables });
