#!/usr/bin/env node
// `pnpm bench`: runs the scenarios and prints one Markdown table per measurement to stdout, progress to stderr.
// Exits non-zero when a server fails to start or a scenario fails (the other rows are still printed).
import { fileURLToPath } from "node:url";
import { loadConfig, selectById } from "./lib/config.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { formatTable } from "./lib/table.mjs";
import * as channelFanout from "./scenarios/channel-fanout.mjs";
import * as clusterBroadcast from "./scenarios/cluster-broadcast.mjs";
import * as idleMemory from "./scenarios/idle-memory.mjs";
import * as presence from "./scenarios/presence.mjs";
import * as recordUpdates from "./scenarios/record-updates.mjs";
import * as redisShards from "./scenarios/redis-shards.mjs";
import * as rpc from "./scenarios/rpc.mjs";
import { BASELINE_ID, SERVERS } from "./servers/index.mjs";

// Every scenario, in the order of a run (about 7 minutes). Each exports `id` and `run(ctx)` resolving to
// `{ tables: [{ title, columns, rows, notes }], failures: [{ server, error }] }`.
const SCENARIOS = [rpc, idleMemory, clusterBroadcast, channelFanout, recordUpdates, presence, redisShards];

const out = (line = "") => process.stdout.write(`${line}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);

async function main() {
  let config;
  let servers;
  let scenarios;
  try {
    config = loadConfig();
    servers = selectById(SERVERS, config.servers, "server");
    scenarios = selectById(SCENARIOS, config.scenarios, "scenario");
  } catch (err) {
    log(err.message);
    return 2;
  }
  out("# meshwork benchmarks\n");
  for (const line of describeMachine(fileURLToPath(new URL("..", import.meta.url)))) out(`- ${line}`);
  // childMaxMs: upper bound on any child's life; each exits by itself past it, even if this process hangs.
  const childMaxMs = config.rpc.warmupMs + config.rpc.durationMs + 10 * config.callTimeoutMs;
  const ctx = { config, servers, baselineId: BASELINE_ID, log, childMaxMs };
  const failures = [];
  for (const scenario of scenarios) {
    try {
      const report = await scenario.run(ctx);
      for (const table of report.tables) {
        out(`\n## ${table.title}\n`);
        out(formatTable(table.columns, table.rows));
        if (table.notes.length) out(`\n${table.notes.map((note) => `- ${note}`).join("\n")}`);
      }
      for (const f of report.failures) failures.push(`[${scenario.id}] ${f.error.message}`);
    } catch (err) {
      failures.push(`[${scenario.id}] ${err.stack ?? err}`);
    }
  }
  if (!failures.length) return 0;
  process.stderr.write(`\nbench: FAILED\n\n${failures.join("\n\n")}\n`);
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    log(err?.stack ?? err);
    process.exitCode = 1;
  },
);
