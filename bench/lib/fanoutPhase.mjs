// The phase machinery every fan-out scenario shares (cluster-broadcast, channel-fanout, record-updates): one
// publisher instance, load processes counting deliveries, Redis and CPU measured around the phase.
import { fileURLToPath } from "node:url";
import { Child, sleep, stopAll } from "./children.mjs";
import { HOST } from "./config.mjs";
import { pin, split } from "./harness.mjs";
import { busyBetween, machineCpu } from "./machineLoad.mjs";
import { RedisServer } from "./redisServer.mjs";
import { median } from "./stats.mjs";

const SERVER_ENTRY = fileURLToPath(new URL("./broadcastServerProcess.mjs", import.meta.url));
const LOAD_ENTRY = fileURLToPath(new URL("./broadcastLoadProcess.mjs", import.meta.url));

/** An integer setting from the environment, or `fallback`; throws when it is not an integer in range. */
export function envInt(name, fallback, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name}=${raw} is not an integer in [${min}, ${max}]`);
  return value;
}

/** Each system's median run of a mode, by deliveries per server CPU-second. */
export function pickMedian(list) {
  if (!list || list.length === 0) return undefined;
  const mid = median(list.map((r) => r.perCpuS));
  return list.reduce((best, r) => (Math.abs(r.perCpuS - mid) < Math.abs(best.perCpuS - mid) ? r : best));
}

function child(ctx, name, entry, cpus, execArgv) {
  const c = new Child(name, entry, { execArgv, env: { BENCH_CHILD_MAX_MS: String(ctx.childMaxMs) }, verbose: ctx.config.verbose });
  pin(ctx, c, cpus);
  return c;
}

/**
 * Starts one system: its own redis-server, two instances of `sys.module` on it (server children pinned to CPU 0
 * under BENCH_PIN), two load processes opening `clients` clients of kind `sys.client` split across the instances
 * (`open` adds to what each load process is told), and the publisher's feedback connections. Resolves with the
 * system under test (`sut`), which {@link runFanoutPhase} drives and {@link teardownSystem} stops.
 */
export async function startFanoutSystem(ctx, sys, { clients, serverOptions, open }) {
  const timeout = ctx.config.callTimeoutMs;
  const sut = { sys, redis: null, servers: [], loads: [], seq: 1, redisVersion: "unknown", counts: split(clients, 2) };
  try {
    sut.redis = await RedisServer.start({ startTimeoutMs: 10_000 });
    sut.redisVersion = await sut.redis.version();
    const options = { redisUrl: sut.redis.url, ...serverOptions };
    for (let n = 1; n <= 2; n++) sut.servers.push(child(ctx, `server:${sys.id}#${n}`, SERVER_ENTRY, "0", ctx.config.serverNodeArgs));
    const started = await Promise.all(
      sut.servers.map((s) => s.call("start", { module: sys.module, host: HOST, port: 0, options }, ctx.config.startTimeoutMs)),
    );
    const { port: controlPort } = await sut.servers[0].call("listenControl", { host: HOST }, timeout);
    for (let n = 1; n <= 2; n++) sut.loads.push(child(ctx, `load:${sys.id}#${n}`, LOAD_ENTRY, ctx.loadCpus));
    await Promise.all(
      sut.loads.map((l, i) =>
        l.call(
          "open",
          { ...open, kind: sys.client, url: `ws://${HOST}:${started[i].port}`, count: sut.counts[i], batchSize: 50, batchTimeoutMs: timeout },
          timeout * 2,
        ),
      ),
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
 * One phase on one system (`sut`: { sys, servers, loads, redis, seq }): instance #1 publishes at `mode` ("rate"
 * or "full"), then the phase drains (bounded by `cfg.drainMs`) until every client has every message. When
 * `measured`, the instances' CPU, Redis CPU and command statistics and the machine's busy time are taken around
 * it. Returns what the scenario summarises: `{ pub, expected, windows, after }` (`after` only when measured).
 */
export async function runFanoutPhase(ctx, cfg, sut, mode, durationMs, measured) {
  const timeout = ctx.config.callTimeoutMs;
  const { servers, loads, redis } = sut;
  const seqFrom = sut.seq;
  await Promise.all(loads.map((l) => l.call("beginPhase", { seqFrom, feedback: mode === "full" }, timeout)));
  let before;
  if (measured) {
    const redisCpu = await redis.cpuSeconds();
    await redis.resetStats();
    before = { redisCpu, machine: machineCpu(), self: process.cpuUsage() };
    await Promise.all(servers.map((s) => s.call("cpuStart", {}, timeout)));
  }
  const pub = await servers[0].call(
    "publish",
    {
      mode,
      ratePerS: cfg.ratePerS,
      durationMs,
      maxBroadcasts: cfg.maxBroadcasts,
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
    const cpus = await Promise.all(
      servers.map((s, i) => s.call("cpuStop", { label: `${sut.sys.id}-${mode}-seq${seqFrom}-instance${i + 1}` }, timeout)),
    );
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
  const windows = await Promise.all(loads.map((l) => l.call("endPhase", {}, timeout)));
  return { pub, expected, windows, after };
}
