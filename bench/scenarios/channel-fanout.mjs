// Scenario `channel-fanout`: meshwork publishToChannel (history 0 and 50) to subscribers on two instances, beside
// Socket.IO room broadcast (bench/README.md). Settings: BENCH_CF_*.
import { columns, fmtInt } from "../lib/table.mjs";
import { fanoutConfig, fanoutSystem, runFanout } from "./fanout.mjs";
import { fanoutTables, headerNote, subscriberRow } from "./fanoutTables.mjs";

export const id = "channel-fanout";

const meshwork = (history) =>
  fanoutSystem(`mw-h${history}`, `meshwork channel, history ${history}`, "meshwork-fanout", "mw-channel", {
    options: { kind: "channel", history },
    target: "bench",
  });

const SYSTEMS = [
  meshwork(0),
  meshwork(50),
  fanoutSystem("socketio", "Socket.IO room broadcast", "socketio-cluster", "socketio"),
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

const tables = fanoutTables({
  columns: COLUMNS,
  title: ({ cfg, mode }) => {
    const rate = `fixed rate: ${fmtInt(cfg.ratePerS)} publishes/s`;
    const shape = mode === "rate" ? rate : `full rate: ≤ ${cfg.window} publishes in flight`;
    return `Channel fan-out, ${shape}, ${cfg.clients} subscribers on 2 instances`;
  },
  header: (t) => headerNote(t, "publishes", `#1 publishes {seq, t, data: ${t.cfg.paddingBytes} bytes}`),
  row: (t, sys, r) => subscriberRow(t, sys, r, { unit: "publish", rounds: "deliveries/s", vs: "perCpuS" }),
});

const config = () =>
  fanoutConfig("CF", SYSTEMS, { clients: 400, rounds: 3, paddingBytes: 64, countBytes: true, accounting: true });

export const run = (ctx) => runFanout(ctx, { id, keyTag: `bench-${id}`, config, tables });
