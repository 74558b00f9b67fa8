// The scenarios `pnpm bench` runs, in order (about 6 minutes); pick a subset with BENCH_SCENARIOS. Each exports
// `id` and `run(ctx)` resolving to `{ tables: [{ title, columns, rows, notes }], failures: [{ server, error }] }`;
// ctx: `{ config, servers, baselineId, log, childMaxMs }`.
import * as channelFanout from "./channel-fanout.mjs";
import * as clusterBroadcast from "./cluster-broadcast.mjs";
import * as idleMemory from "./idle-memory.mjs";
import * as recordUpdates from "./record-updates.mjs";
import * as rpc from "./rpc.mjs";

export const SCENARIOS = [rpc, idleMemory, clusterBroadcast, channelFanout, recordUpdates];
