// The scenarios `pnpm bench` runs, in order. Each module exports `id` and `run(ctx)` resolving to
// `{ tables: [{ title, columns, rows, notes }], failures: [{ server, error }], results }`.
// ctx: `{ config, servers, baselineId, log, childMaxMs }`. Add a scenario by adding a module here
// (later: cross-instance room broadcast over Redis, channel fan-out, record updates).
import * as idleMemory from "./idle-memory.mjs";
import { rpc, rpcRate } from "./rpc.mjs";

/** Every scenario, by id. */
export const SCENARIOS = [rpc, rpcRate, idleMemory];

/** What `pnpm bench` runs when BENCH_SCENARIOS is unset (kept under ~3 minutes with the build). */
export const DEFAULT_SCENARIOS = [rpc, idleMemory];

/** Scenarios selected by id (the defaults when `ids` is undefined); throws on an unknown id. */
export function selectScenarios(ids) {
  if (!ids) return DEFAULT_SCENARIOS;
  return ids.map((id) => {
    const scenario = SCENARIOS.find((s) => s.id === id);
    if (!scenario) throw new Error(`unknown scenario "${id}" (known: ${SCENARIOS.map((s) => s.id).join(", ")})`);
    return scenario;
  });
}
