// A system of the redis-shards scenario and one measurement on it: its Redis (one redis-server or a cluster), two
// meshwork instances, two load processes (lib/shardsLoad.mjs), each with the sources of half the streams on its
// own instance and their receivers on the other; and the figures of a window, with every process's CPU.
import { fileURLToPath } from "node:url";
import { forkLoad, forkServer, sleep, stopAll } from "./children.mjs";
import { HOST } from "./config.mjs";
import { machineWindow } from "./machine.mjs";
import { processCpuWindow } from "./procCpu.mjs";
import { startClusterRedis, startSingleRedis } from "./redisTopology.mjs";
import { summarize } from "./stats.mjs";

const MODULE = fileURLToPath(new URL("../servers/meshwork-shards.mjs", import.meta.url));

/** The names of `count` streams `prefix<n>`, those whose n is `index` modulo 2. */
const namesOf = (prefix, count, index) =>
  Array.from({ length: count }, (_, n) => n).flatMap((n) => (n % 2 === index ? [`${prefix}${n}`] : []));

/** Starts the system on `topologyId` ("single" or "cluster"): Redis, both instances, both load processes. */
export async function startShardsSystem(ctx, cfg, topologyId) {
  const timeout = ctx.config.callTimeoutMs;
  const sut = { id: topologyId, redis: null, servers: [], loads: [] };
  try {
    sut.redis =
      topologyId === "single"
        ? await startSingleRedis()
        : await startClusterRedis({ masters: cfg.masters, deadlineMs: ctx.config.startTimeoutMs });
    const options = { redis: sut.redis.redisOption, keyPrefix: `bench-rs:${process.pid}:${topologyId}:` };
    sut.servers = [1, 2].map((n) => forkServer(ctx, `shards-${topologyId}#${n}`));
    const start = { module: MODULE, host: HOST, port: 0, options };
    const started = await Promise.all(sut.servers.map((s) => s.call("start", start, ctx.config.startTimeoutMs)));
    const urls = started.map(({ port }) => `ws://${HOST}:${port}`);
    sut.loads = [1, 2].map((n) => forkLoad(ctx, `shards-${topologyId}#${n}`, "./shardsLoad.mjs"));
    const setup = (home) => ({
      urls,
      home,
      rooms: namesOf("bench-room-", cfg.rooms, home),
      roomMembers: cfg.roomMembers,
      records: namesOf("bench-rec-", cfg.records, home),
      recordSubscribers: cfg.recordSubscribers,
      paddingBytes: cfg.paddingBytes,
      batchSize: 50,
      timeoutMs: timeout,
    });
    const opened = await Promise.all(sut.loads.map((l, home) => l.call("setup", setup(home), timeout * 4)));
    const pids = `redis-server pid ${sut.redis.pids.join(", ")}, instances pid ${sut.servers.map((s) => s.pid)}`;
    const clients = opened.map((o) => o.clients).join(" + ");
    ctx.log(`redis-shards: ${sut.redis.label} ${sut.redis.version}: ${pids}, ${clients} clients`);
    return sut;
  } catch (err) {
    await teardownShardsSystem(sut);
    throw err;
  }
}

export async function teardownShardsSystem(sut) {
  await stopAll([...sut.loads, ...sut.servers], 10_000);
  await sut.redis?.stop();
}

/**
 * One measurement: the streams of `kind` ("room" or "record") run for the warm-up, then for the measured window
 * (CPU of every process of the system, the machine's busy time and Redis's command counts around it), then stop
 * and drain.
 */
export async function measureShards(ctx, cfg, sut, kind) {
  const timeout = ctx.config.callTimeoutMs;
  const all = (method, params = {}, ms = timeout) => Promise.all(sut.loads.map((l) => l.call(method, params, ms)));
  try {
    await all("start", { kind, inFlight: cfg.inFlight });
    await sleep(cfg.warmupMs);
    const commandsBefore = await sut.redis.commandsProcessed();
    const endMachine = machineWindow();
    const endCpu = processCpuWindow({
      redis: sut.redis.pids,
      servers: sut.servers.map((s) => s.pid),
      loads: sut.loads.map((l) => l.pid),
    });
    await all("begin");
    await sleep(cfg.durationMs);
    const windows = await all("end");
    const cpu = endCpu();
    const machine = endMachine();
    const commandsAfter = await sut.redis.commandsProcessed();
    const commandsPerS = commandsAfter.map((n, i) => (n - commandsBefore[i]) / cpu.seconds);
    return summarizeWindow(windows, cpu, machine, commandsPerS);
  } finally {
    const stopped = await all("stop", { timeoutMs: cfg.drainMs }, cfg.drainMs + timeout);
    const left = stopped.reduce((n, s) => n + s.inFlight, 0);
    if (left) ctx.log(`redis-shards: ${sut.redis.label}: ${left} requests still unanswered after the drain`);
  }
}

function summarizeWindow(windows, cpu, machine, commandsPerS) {
  const sum = (list) => list.reduce((n, x) => n + x, 0);
  const seconds = sum(windows.map((w) => w.elapsedMs)) / windows.length / 1000;
  const { redis, servers, loads } = cpu.percent;
  const ours = sum([...redis, ...servers, ...loads]);
  const toPercent = (s) => (100 * s) / cpu.seconds;
  return {
    seconds,
    answeredPerS: sum(windows.map((w) => w.answered)) / seconds,
    sentPerS: sum(windows.map((w) => w.sent)) / seconds,
    deliveredPerS: sum(windows.map((w) => w.delivered)) / seconds,
    ...summarize(...windows.map((w) => w.latenciesMs)),
    streams: sum(windows.map((w) => w.streams)),
    idleStreams: sum(windows.map((w) => w.idle)),
    redisCpu: redis,
    serverCpu: servers,
    loadCpu: loads,
    irqCpu: toPercent(machine.irqS),
    // The machine's busy time not charged to this system's processes nor to interrupts: other processes, steal.
    otherCpu: Math.max(0, toPercent(machine.busyS) - ours),
    busyCpu: toPercent(machine.busyS + machine.irqS),
    commandsPerS,
  };
}
