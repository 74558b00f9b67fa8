// A fan-out system under test and one phase on it: its own redis-server, two server instances (the first also
// publishes), two load processes holding the clients split across the instances, and the figures of a phase.
import { forkLoad, forkServer, sleep, stopAll } from "./children.mjs";
import { HOST } from "./config.mjs";
import { machineWindow } from "./machine.mjs";
import { startRedis } from "./redis.mjs";
import { split, summarize } from "./stats.mjs";

/** Commands the harness itself sends to Redis; not counted against a system. */
const HARNESS_COMMANDS = new Set(["config|resetstat", "info", "monitor"]);

/**
 * Starts system `sys` for `cfg.clients` clients: its redis-server, two instances of `sys.module`, two load processes
 * opening clients of kind `sys.client` on `sys.target` and connected to the publisher's feedback port. Checks that
 * every client joined, warms up, and with `cfg.accounting` counts client-sent vs Lua-run Redis commands under
 * MONITOR in an unmeasured phase.
 */
export async function startFanoutSystem(ctx, cfg, sys, serverOptions, scenarioId) {
  const timeout = ctx.config.callTimeoutMs;
  const sut = { sys, redis: null, servers: [], loads: [], seq: 1, counts: split(cfg.clients, 2) };
  try {
    sut.redis = await startRedis();
    sut.redisVersion = sut.redis.version;
    const options = { redisUrl: sut.redis.url, ...serverOptions, ...sys.options };
    sut.servers = [1, 2].map((n) => forkServer(ctx, `${sys.id}#${n}`));
    const start = { module: sys.module, host: HOST, port: 0, options };
    const started = await Promise.all(sut.servers.map((s) => s.call("start", start, ctx.config.startTimeoutMs)));
    const { port: controlPort } = await sut.servers[0].call("listenControl", { host: HOST }, timeout);
    sut.loads = [1, 2].map((n) => forkLoad(ctx, `${sys.id}#${n}`));
    const { client: kind, target } = sys;
    const open = { kind, target, countBytes: cfg.countBytes, batchSize: 50, batchTimeoutMs: timeout };
    const openAt = (i) => ({ ...open, url: `ws://${HOST}:${started[i].port}`, count: sut.counts[i] });
    await Promise.all(sut.loads.map((l, i) => l.call("open", openAt(i), timeout * 2)));
    await Promise.all(sut.loads.map((l) => l.call("connectControl", { port: controlPort, timeoutMs: 5_000 }, timeout)));
    const sizes = await Promise.all(sut.servers.map((s) => s.call("roomSize", {}, timeout)));
    const seen = sys.roomScope === "cluster" ? sizes[0] : sizes[0] + sizes[1];
    if (seen !== cfg.clients) {
      throw new Error(`${sys.label}: ${seen} members (${sizes.join(" + ")}), expected ${cfg.clients}`);
    }
    const pids = sut.servers.map((s) => s.pid).join(" + ");
    const what = `redis-server ${sut.redisVersion} pid ${sut.redis.pid}, instances pid ${pids}`;
    ctx.log(`${scenarioId}: ${sys.label}: ${what}, ${sut.counts.join(" + ")} clients; warm-up`);
    if (cfg.warmupMs > 0) {
      await runFanoutPhase(ctx, cfg, sut, "rate", cfg.warmupMs, false);
      if (cfg.modes.includes("full")) await runFanoutPhase(ctx, cfg, sut, "full", Math.ceil(cfg.warmupMs / 2), false);
    }
    if (cfg.accounting) {
      const phase = () => runFanoutPhase(ctx, cfg, sut, "rate", cfg.accountingMs, false);
      const { result, ...counts } = await sut.redis.monitor(phase, sys.monitorTarget);
      sut.accounting = { published: result.published, ...counts };
      ctx.log(`${scenarioId}: ${sys.label}: accounting (MONITOR) ${JSON.stringify(sut.accounting)}`);
    }
    return sut;
  } catch (err) {
    await teardownSystem(sut);
    throw err;
  }
}

export async function teardownSystem(sut) {
  await stopAll([...sut.loads, ...sut.servers], 10_000);
  await sut.redis?.stop();
}

/**
 * One phase: instance #1 publishes at `mode` ("rate" or "full") for `durationMs`, then the phase drains (at most
 * `cfg.drainMs`) until every client has every message. When `measured`, CPU, Redis statistics and the machine's
 * busy time are taken around it and the phase is summarised; otherwise resolves with `{ published }`.
 */
export async function runFanoutPhase(ctx, cfg, sut, mode, durationMs, measured) {
  const timeout = ctx.config.callTimeoutMs;
  const { servers, loads, redis } = sut;
  const seqFrom = sut.seq;
  const all = (children, method, params = {}) => Promise.all(children.map((c) => c.call(method, params, timeout)));
  await all(loads, "begin", { seqFrom, feedback: mode === "full" });
  let redisCpuBefore;
  let endMachine;
  if (measured) {
    redisCpuBefore = await redis.cpuSeconds();
    await redis.resetStats();
    endMachine = machineWindow();
    await all(servers, "cpuStart", { detail: true });
  }
  const { ratePerS, maxPublishes: maxBroadcasts, paddingBytes, window } = cfg;
  const params = { mode, ratePerS, durationMs, maxBroadcasts, seqFrom, paddingBytes, window };
  const limits = { feedbackFrom: loads.length, stallMs: 2_000, maxRedisInFlight: 10_000 };
  const pub = await servers[0].call("publish", { ...params, ...limits }, durationMs + timeout);
  sut.seq += pub.published + pub.missed;
  const expected = pub.published * cfg.clients;
  const until = Date.now() + cfg.drainMs;
  for (;;) {
    const progress = await all(loads, "progress");
    if (progress.reduce((n, p) => n + p.delivered, 0) >= expected || Date.now() > until) break;
    await sleep(5);
  }
  if (!measured) {
    await all(loads, "end");
    return { published: pub.published };
  }
  const cpus = await all(servers, "cpuStop");
  const stats = await redis.commandStats();
  const redisCpuS = (await redis.cpuSeconds()) - redisCpuBefore;
  const machine = endMachine();
  const windows = await all(loads, "end");
  return summarizePhase(pub, expected, windows, { cpus, stats, redisCpuS, machine });
}

function summarizePhase(pub, expected, windows, after) {
  const sum = (list, f) => list.reduce((n, x) => n + f(x), 0);
  const delivered = sum(windows, (w) => w.delivered);
  const perDelivery = (us) => us / Math.max(1, delivered);
  const spanS = Math.max(1e-3, (Math.max(...windows.map((w) => w.lastAt), pub.lastAt) - pub.firstAt) / 1000);
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
    ...summarize(...windows.map((w) => w.latenciesMs)),
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
    otherCpuS: Math.max(0, after.machine.busyS - serverCpuS - loadCpuS - after.redisCpuS),
    anomalies,
  };
}
