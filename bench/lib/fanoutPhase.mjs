// The phase machinery every fan-out scenario shares (cluster-broadcast, channel-fanout, record-updates): one
// publisher instance, load processes counting deliveries, Redis and CPU measured around the phase.
import { sleep, stopAll } from "./children.mjs";
import { busyBetween, machineCpu } from "./machineLoad.mjs";
import { median } from "./stats.mjs";

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
