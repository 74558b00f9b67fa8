// The scenarios `pnpm bench` runs, in order. Each module exports `id` and `run(ctx)` resolving to
// `{ tables: [{ title, columns, rows, notes }], failures: [{ server, error }], results }`.
// ctx: `{ config, servers, baselineId, log, childMaxMs }`. Add a scenario by adding a module here.
import * as channelFanout from "./channel-fanout.mjs";
import * as clusterBroadcast from "./cluster-broadcast.mjs";
import * as idleMemory from "./idle-memory.mjs";
import * as recordUpdates from "./record-updates.mjs";
import { rpc, rpcRate } from "./rpc.mjs";

/** Every scenario, by id. */
export const SCENARIOS = [rpc, rpcRate, idleMemory, clusterBroadcast, channelFanout, recordUpdates];

/**
 * What `pnpm bench` runs when BENCH_SCENARIOS is unset: about 12 minutes with the build (rpc and idle-memory ~2,
 * cluster-broadcast ~5, channel-fanout and record-updates ~2.5 together). Pick a subset with BENCH_SCENARIOS.
 */
export const DEFAULT_SCENARIOS = [rpc, idleMemory, clusterBroadcast, channelFanout, recordUpdates];

/** Scenarios selected by id (the defaults when `ids` is undefined); throws on an unknown id. */
export function selectScenarios(ids) {
  if (!ids) return DEFAULT_SCENARIOS;
  return ids.map((id) => {
    const scenario = SCENARIOS.find((s) => s.id === id);
    if (!scenario) throw new Error(`unknown scenario "${id}" (known: ${SCENARIOS.map((s) => s.id).join(", ")})`);
    return scenario;
  });
}
