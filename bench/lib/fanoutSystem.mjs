// A fan-out system under test and one measured phase on it, shared by the cluster-broadcast, channel-fanout and
// record-updates scenarios: its own redis-server, two server instances (the first is the publisher), two load
// processes holding the clients split across the instances, and the figures taken around a phase.
import { fileURLToPath } from "node:url";
import { forkChild, sleep, stopAll } from "./children.mjs";
import { HOST } from "./config.mjs";
import { busyBetween, machineCpu } from "./machine.mjs";
import { BenchRedis } from "./redis.mjs";
import { mergeSamples, split, summarize } from "./stats.mjs";

const SERVER_ENTRY = fileURLToPath(new URL("./serverProcess.mjs", import.meta.url));
const LOAD_ENTRY = fileURLToPath(new URL("./loadProcess.mjs", import.meta.url));
/** Commands the harness itself sends to Redis; not counted against a system. */
export const HARNESS_COMMANDS = new Set(["config|resetstat", "info", "monitor"]);

/**
 * Starts one system `sys` (a scenario's system description) for `cfg.clients` clients: its redis-server, two
 * instances of `sys.module` with `serverOptions`, two load processes opening clients of kind `sys.client` on
 * `sys.target`, and the publisher's feedback connections. Resolves with the system under test (`sut`).
 */
export async function startFanoutSystem(ctx, cfg, sys, serverOptions) {
  const timeout = ctx.config.callTimeoutMs;
  const sut = { sys, redis: null, servers: [], loads: [], seq: 1, counts: split(cfg.clients, 2) };
  try {
    sut.redis = await BenchRedis.start();
    sut.redisVersion = await sut.redis.version();
    const options = { redisUrl: sut.redis.url, ...serverOptions, ...sys.options };
    for (let n = 1; n <= 2; n++) sut.servers.push(forkChild(ctx, `server:${sys.id}#${n}`, SERVER_ENTRY, ctx.config.serverNodeArgs));
    const start = { module: sys.module, host: HOST, port: 0, options };
    const started = await Promise.all(sut.servers.map((s) => s.call("start", start, ctx.config.startTimeoutMs)));
    const { port: controlPort } = await sut.servers[0].call("listenControl", { host: HOST }, timeout);
    for (let n = 1; n <= 2; n++) sut.loads.push(forkChild(ctx, `load:${sys.id}#${n}`, LOAD_ENTRY));
    const open = { kind: sys.client, target: sys.target, countBytes: cfg.countBytes, batchSize: 50, batchTimeoutMs: timeout };
    await Promise.all(
      sut.loads.map((l, i) => l.call("open", { ...open, url: `ws://${HOST}:${started[i].port}`, count: sut.counts[i] }, timeout * 2)),
    );
    await Promise.all(sut.loads.map((l) => l.call("connectControl", { port: controlPort, timeoutMs: 5_000 }, timeout)));
    return sut;
  } catch (err) {
    await teardownSystem(sut);
    throw err;
  }
}

/** Stops a system's load processes, instances and redis-server. */
export async function teardownSystem(sut) {
  await stopAll([...sut.loads, ...sut.servers], 10_000);
  await sut.redis?.stop();
}

/**
 * One phase on `sut`: instance #1 publishes at `mode` ("rate" or "full") for `durationMs`, then the phase drains
 * (bounded by `cfg.drainMs`) until every client has every message. When `measured`, the instances' CPU, Redis CPU
 * and command statistics and the machine's busy time are taken around it and the phase is summarised; otherwise
 * resolves with `{ published }`.
 */
export async function runFanoutPhase(ctx, cfg, sut, mode, durationMs, measured) {
  const timeout = ctx.config.callTimeoutMs;
  const { servers, loads, redis } = sut;
  const seqFrom = sut.seq;
  await Promise.all(loads.map((l) => l.call("begin", { seqFrom, feedback: mode === "full" }, timeout)));
  let before;
  if (measured) {
    const redisCpu = await redis.cpuSeconds();
    await redis.resetStats();
    before = { redisCpu, machine: machineCpu(), self: process.cpuUsage() };
    await Promise.all(servers.map((s) => s.call("cpuStart", { detail: true }, timeout)));
  }
  const pub = await servers[0].call(
    "publish",
    {
      mode,
      ratePerS: cfg.ratePerS,
      durationMs,
      maxBroadcasts: cfg.maxPublishes,
      seqFrom,
      paddingBytes: cfg.paddingBytes,
      window: cfg.window,
      feedbackFrom: loads.length,
      stallMs: 2_000,
      maxRedisInFlight: 10_000,
    },
    durationMs + timeout,
  );
  sut.seq += pub.published + pub.missed;
  const expected = pub.published * cfg.clients;
  const until = Date.now() + cfg.drainMs;
  for (;;) {
    const progress = await Promise.all(loads.map((l) => l.call("progress", {}, timeout)));
    if (progress.reduce((n, p) => n + p.delivered, 0) >= expected || Date.now() > until) break;
    await sleep(5);
  }
  let after;
  if (measured) {
    const cpus = await Promise.all(servers.map((s) => s.call("cpuStop", {}, timeout)));
    const stats = await redis.commandStats();
    const redisCpu = await redis.cpuSeconds();
    const self = process.cpuUsage(before.self);
    after = {
      cpus,
      stats,
      redisCpuS: redisCpu - before.redisCpu,
      machine: busyBetween(before.machine, machineCpu()),
      orchestratorS: (self.user + self.system) / 1e6,
    };
  }
  const windows = await Promise.all(loads.map((l) => l.call("end", {}, timeout)));
  return measured ? summarizePhase(pub, expected, windows, after) : { published: pub.published };
}

function summarizePhase(pub, expected, windows, after) {
  const sum = (list, f) => list.reduce((n, x) => n + f(x), 0);
  const delivered = sum(windows, (w) => w.delivered);
  const perDelivery = (us) => us / Math.max(1, delivered);
  const spanS = Math.max(1e-3, (Math.max(...windows.map((w) => w.lastDeliverAt), pub.lastAt) - pub.firstAt) / 1000);
  const instanceCpuS = after.cpus.map((c) => (c.userUs + c.systemUs) / 1e6);
  const serverCpuS = sum(instanceCpuS, (c) => c);
  const loadCpuS = sum(windows, (w) => w.cpuUs) / 1e6;
  const commands = Object.entries(after.stats)
    .filter(([name]) => !HARNESS_COMMANDS.has(name))
    .sort((a, b) => b[1] - a[1]);
  const redisCalls = sum(commands, ([, calls]) => calls);
  const anomalies = {};
  for (const w of windows) for (const [k, v] of Object.entries(w.anomalies)) anomalies[k] = (anomalies[k] ?? 0) + v;
  return {
    ...pub,
    expected,
    delivered,
    lost: expected - delivered,
    bytesPerDelivery: perDelivery(sum(windows, (w) => w.bytes)),
    publishesPerS: pub.published / spanS,
    deliveriesPerS: delivered / spanS,
    ...summarize(mergeSamples(windows.map((w) => w.latenciesMs))),
    redisCalls,
    commands,
    cmdsPerPublish: pub.published ? redisCalls / pub.published : Number.NaN,
    instanceCpuS,
    serverCpuS,
    wallS: Math.max(...after.cpus.map((c) => c.wallMs)) / 1000,
    perCpuS: delivered / serverCpuS,
    userUsPerDelivery: perDelivery(sum(after.cpus, (c) => c.userUs)),
    systemUsPerDelivery: perDelivery(sum(after.cpus, (c) => c.systemUs)),
    writesPerDelivery: perDelivery(sum(after.cpus, (c) => c.writeSyscalls)),
    maxLoopDelayMs: after.cpus.map((c) => c.maxLoopDelayMs),
    serverDiagnostics: after.cpus.map((c) => c.diagnostics),
    redisCpuS: after.redisCpuS,
    loadCpuS,
    otherCpuS: Math.max(0, after.machine.busyS - after.machine.irqS - after.orchestratorS - serverCpuS - loadCpuS - after.redisCpuS),
    anomalies,
  };
}
