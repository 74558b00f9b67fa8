#!/usr/bin/env node
// `pnpm bench`: runs every scenario and prints one Markdown table per measurement. Servers and load generators run
// in separate child processes on 127.0.0.1. Progress goes to stderr, the report to stdout. Exits non-zero when a
// server fails to start or a scenario fails (the other rows are still printed).
// Settings: lib/config.mjs and each fan-out scenario's header (BENCH_SCENARIOS, BENCH_SERVERS, BENCH_CB_*, ...).
import { fileURLToPath } from "node:url";
import { benchEnvOverrides, loadConfig, selectById } from "./lib/config.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { formatTable } from "./lib/table.mjs";
import { selectScenarios } from "./scenarios/index.mjs";
import { BASELINE_ID, SERVERS } from "./servers/index.mjs";

const out = (line = "") => process.stdout.write(`${line}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);

async function main() {
  let config;
  let servers;
  let scenarios;
  try {
    config = loadConfig();
    servers = selectById(SERVERS, config.servers, "server");
    scenarios = selectScenarios(config.scenarios);
  } catch (err) {
    log(err.message);
    return 2;
  }
  const machine = describeMachine(fileURLToPath(new URL("..", import.meta.url)));
  const overrides = benchEnvOverrides();
  out("# meshwork benchmarks\n");
  out(`- machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}`);
  out(`- node: ${machine.node}`);
  out(`- command: ${machine.command}`);
  out(`- overrides: ${overrides.length ? overrides.join(" ") : "none (defaults)"}`);
  out(`- revision: ${machine.revision}`);
  out(`- date: ${machine.date}`);

  // childMaxMs: upper bound on any child's life; each exits by itself past it, even if this process hangs.
  const childMaxMs = config.rpc.warmupMs + config.rpc.durationMs + 10 * config.callTimeoutMs;
  const ctx = { config, servers, baselineId: BASELINE_ID, log, childMaxMs };
  const failures = [];
  for (const scenario of scenarios) {
    let report;
    try {
      report = await scenario.run(ctx);
    } catch (err) {
      failures.push({ scenario: scenario.id, message: err.stack ?? String(err) });
      continue;
    }
    for (const table of report.tables) {
      out(`\n## ${table.title}\n`);
      out(formatTable(table.columns, table.rows));
      if (table.notes?.length) out(`\n${table.notes.map((note) => `- ${note}`).join("\n")}`);
    }
    for (const f of report.failures) failures.push({ scenario: scenario.id, message: f.error.message });
  }
  if (failures.length) {
    process.stderr.write("\nbench: FAILED\n");
    for (const f of failures) process.stderr.write(`\n[${f.scenario}] ${f.message}\n`);
    return 1;
  }
  return 0;
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
