// Scenario `presence`: N clients split across two meshwork instances on one redis-server join a tracked room, then
// leave it, while one watcher subscribed to the room's presence counts the events. Each phase reports its rate
// (first request to the watcher's last event), request-to-event latency, Redis commands per event and CPU.
import { fileURLToPath } from "node:url";
import { forkLoad, forkServer, stopAll } from "../lib/children.mjs";
import { envInt, HOST } from "../lib/config.mjs";
import { machineWindow } from "../lib/machine.mjs";
import { startRedis } from "../lib/redis.mjs";
import { split, summarize } from "../lib/stats.mjs";
import { columns, fmtFixed, fmtInt } from "../lib/table.mjs";

export const id = "presence";

const ROOM = "lobby";
const MODULE = fileURLToPath(new URL("../servers/meshwork-presence.mjs", import.meta.url));
/** Commands the harness itself sends to Redis; not counted against the phase. */
const HARNESS_COMMANDS = new Set(["config|resetstat", "info"]);
const PHASES = [
  { type: "join", command: "mesh/join-room", present: (n) => n },
  { type: "leave", command: "mesh/leave-room", present: () => 0 },
];

function settings() {
  return {
    clients: envInt("BENCH_PR_CLIENTS", 1_000, { min: 2, max: 10_000 }),
    batchSize: envInt("BENCH_PR_BATCH", 100, { min: 1, max: 10_000 }),
    phaseTimeoutMs: envInt("BENCH_PR_PHASE_TIMEOUT_MS", 15_000, { min: 1_000, max: 300_000 }),
  };
}

/** One measured phase: every client joins (or leaves) the room; Redis statistics, CPU and the machine around it. */
async function measurePhase(ctx, cfg, { redis, servers, load }, def) {
  const timeout = ctx.config.callTimeoutMs;
  const all = (method) => Promise.all(servers.map((s) => s.call(method, {}, timeout)));
  const redisCpuBefore = await redis.cpuSeconds();
  await redis.resetStats();
  const endMachine = machineWindow();
  await Promise.all(servers.map((s) => s.call("cpuStart", {}, timeout)));
  const params = { type: def.type, command: def.command, room: ROOM, batchSize: cfg.batchSize };
  const r = await load.call("phase", { ...params, timeoutMs: cfg.phaseTimeoutMs }, cfg.phaseTimeoutMs + timeout);
  const cpus = await all("cpuStop");
  const stats = await redis.commandStats();
  const redisCpuS = (await redis.cpuSeconds()) - redisCpuBefore;
  const machine = endMachine();
  const [present] = await all("roomSize");
  if (present !== def.present(cfg.clients)) {
    throw new Error(
      `after the ${def.type}s getPresence lists ${present} members, expected ${def.present(cfg.clients)}`,
    );
  }
  const commands = Object.entries(stats)
    .filter(([name]) => !HARNESS_COMMANDS.has(name))
    .sort((a, b) => b[1] - a[1]);
  const redisCalls = commands.reduce((n, [, calls]) => n + calls, 0);
  const serverCpuS = cpus.reduce((n, c) => n + (c.userUs + c.systemUs) / 1e6, 0);
  const loadCpuS = r.cpuUs / 1e6;
  return {
    ...def,
    perS: r.seen / (r.lastEventMs / 1000),
    answeredMs: r.answeredMs,
    lastEventMs: r.lastEventMs,
    ...summarize(r.latenciesMs),
    commands,
    cmdsPerEvent: redisCalls / r.seen,
    evalshaPerEvent: (stats.evalsha ?? 0) / r.seen,
    serverCpuS,
    redisCpuS,
    loadCpuS,
    otherCpuS: Math.max(0, machine.busyS - serverCpuS - loadCpuS - redisCpuS),
    wallS: Math.max(...cpus.map((c) => c.wallMs)) / 1000,
  };
}

/** Starts the redis-server, both instances and the load child, runs the join then the leave phase, stops all. */
async function measure(ctx, cfg) {
  const timeout = ctx.config.callTimeoutMs;
  const sut = { redis: null, servers: [], load: null };
  try {
    sut.redis = await startRedis();
    const options = { redisUrl: sut.redis.url, keyPrefix: `bench-presence:${process.pid}:`, room: ROOM };
    sut.servers = [1, 2].map((n) => forkServer(ctx, `presence#${n}`));
    const start = { module: MODULE, host: HOST, port: 0, options };
    const started = await Promise.all(sut.servers.map((s) => s.call("start", start, ctx.config.startTimeoutMs)));
    const urls = started.map(({ port }) => `ws://${HOST}:${port}`);
    sut.load = forkLoad(ctx, "presence", "./presenceLoad.mjs");
    const counts = split(cfg.clients, 2);
    for (const [i, count] of counts.entries()) {
      await sut.load.call("open", { url: urls[i], count, batchSize: 100, batchTimeoutMs: timeout }, timeout * 2);
    }
    await sut.load.call("watch", { url: urls[0], room: ROOM }, timeout);
    const pids = sut.servers.map((s) => s.pid).join(" + ");
    ctx.log(
      `presence: redis-server ${sut.redis.version} pid ${sut.redis.pid}, instances pid ${pids}, ${counts.join(" + ")} clients`,
    );
    const results = [];
    for (const def of PHASES) {
      results.push(await measurePhase(ctx, cfg, sut, def));
      const r = results.at(-1);
      ctx.log(`presence: ${def.type}: ${fmtInt(r.perS)}/s, ${fmtFixed(r.cmdsPerEvent, 1)} Redis commands each`);
    }
    const status = await sut.load.call("status", {}, timeout);
    return { results, status, redisVersion: sut.redis.version };
  } finally {
    await stopAll([sut.load, ...sut.servers], 10_000);
    await sut.redis?.stop();
  }
}

const COLUMNS = columns({
  phase: "phase",
  clients: "clients",
  perS: "events/s",
  p50: "p50 ms",
  p99: "p99 ms",
  cmds: "Redis cmds / event",
  evalsha: "EVALSHA / event",
  cpu: "server CPU s (#1+#2)",
  redisCpu: "Redis CPU s",
  load: "load CPU s",
  other: "other CPU s",
});

export async function run(ctx) {
  const cfg = settings();
  ctx.log(`presence: ${cfg.clients} clients join then leave "${ROOM}" in batches of ${cfg.batchSize}`);
  let measured;
  try {
    measured = await measure(ctx, cfg);
  } catch (error) {
    const rows = PHASES.map((def) => ({ phase: def.type, clients: "FAILED" }));
    return { tables: [{ title: TITLE, columns: COLUMNS, rows, notes: [] }], failures: [{ error }] };
  }
  const { results, status, redisVersion } = measured;
  const rows = results.map((r) => ({
    phase: `${r.type} (${r.command})`,
    clients: fmtInt(cfg.clients),
    perS: fmtInt(r.perS),
    p50: fmtFixed(r.p50, 1),
    p99: fmtFixed(r.p99, 1),
    cmds: fmtFixed(r.cmdsPerEvent, 2),
    evalsha: fmtFixed(r.evalshaPerEvent, 2),
    cpu: fmtFixed(r.serverCpuS, 2),
    redisCpu: fmtFixed(r.redisCpuS, 2),
    load: fmtFixed(r.loadCpuS, 2),
    other: fmtFixed(r.otherCpuS, 2),
  }));
  const top = (r) => r.commands.slice(0, 6).map(([name, calls]) => `${name} ${fmtFixed(calls / cfg.clients, 2)}`);
  const notes = [
    `${fmtInt(cfg.clients)} clients (${split(cfg.clients, 2).join(" + ")} on two instances, one redis-server ${redisVersion}), ` +
      `requests in batches of ${cfg.batchSize}; one watcher on instance #1. Columns: bench/README.md, "Reading the tables".`,
    ...results.map((r) => `Redis commands per ${r.type} (commandstats): ${top(r).join(", ")}`),
    ...results.map(
      (r) =>
        `${r.type}: last answer ${fmtInt(r.answeredMs)} ms, watcher's last event ${fmtInt(r.lastEventMs)} ms after ` +
        "the first request",
    ),
  ];
  for (const r of results.filter((x) => x.otherCpuS > 0.1 * x.wallS)) {
    notes.push(
      `WARNING ${r.type}: disturbed, other processes used ${fmtFixed(r.otherCpuS, 2)} CPU-s during its ` +
        `${fmtFixed(r.wallS, 1)} s window, so its figures are skewed: rerun on a quiet machine`,
    );
  }
  const issues = Object.entries(status.anomalies).filter(([, v]) => v > 0);
  if (issues.length) notes.push(`anomalies: ${issues.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  return { tables: [{ title: TITLE, columns: COLUMNS, rows, notes }], failures: [] };
}

const TITLE = "Presence: clients joining and leaving a tracked room across 2 instances";
