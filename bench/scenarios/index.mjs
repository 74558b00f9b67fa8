// The scenarios `pnpm bench` runs, in order. Each module exports `id` and `run(ctx)` resolving to
// `{ tables: [{ title, columns, rows, notes }], failures: [{ server, error }] }`; ctx: `{ config, servers,
// baselineId, log, childMaxMs }`. Add a scenario by adding a module here.
import { selectById } from "../lib/config.mjs";
import * as channelFanout from "./channel-fanout.mjs";
import * as clusterBroadcast from "./cluster-broadcast.mjs";
import * as idleMemory from "./idle-memory.mjs";
import * as recordUpdates from "./record-updates.mjs";
import * as rpc from "./rpc.mjs";

/**
 * Every scenario, in the order `pnpm bench` runs them (about 6 minutes: rpc and idle-memory ~2, cluster-broadcast
 * ~2, channel-fanout and record-updates ~2 together). Pick a subset with BENCH_SCENARIOS.
 */
export const SCENARIOS = [rpc, idleMemory, clusterBroadcast, channelFanout, recordUpdates];

/** Scenarios selected by id (all when `ids` is undefined); throws on an unknown id. */
export const selectScenarios = (ids) => selectById(SCENARIOS, ids, "scenario");
