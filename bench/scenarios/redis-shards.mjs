// Scenario `redis-shards`: meshwork on one redis-server and on a Redis Cluster of its own, in the same run:
// cross-instance room broadcasts across many rooms and record updates across many records, each with the CPU of
// every redis-server, instance and load process, so the scaling of the cluster, or its limit on this machine, shows
// (bench/README.md). Settings: BENCH_RS_*.
import { redisShardsConfig } from "../lib/config.mjs";
import { measureShards, startShardsSystem, teardownShardsSystem } from "../lib/shardsSystem.mjs";
import { fmtFixed, fmtInt } from "../lib/table.mjs";
import { MEASUREMENTS, redisShardsTables } from "./redisShardsTables.mjs";

export const id = "redis-shards";

const phaseLog = (r) =>
  `${fmtInt(r.answeredPerS)}/s, delivered ${fmtInt(r.deliveredPerS)}/s, p50/p99 ${fmtFixed(r.p50, 1)}/` +
  `${fmtFixed(r.p99, 1)} ms, Redis CPU ${r.redisCpu.map((c) => fmtInt(c)).join("/")}%, meshwork ` +
  `${r.serverCpu.map((c) => fmtInt(c)).join("+")}%, load ${r.loadCpu.map((c) => fmtInt(c)).join("+")}%, other ` +
  `${fmtInt(r.otherCpu)}%`;

/** `list` turned left by `n`: the order of the Redis shapes in round n + 1. */
const rotate = (list, n) => [...list.slice(n % list.length), ...list.slice(0, n % list.length)];

export async function run(ctx) {
  const cfg = redisShardsConfig();
  const failures = [];
  const systems = new Map();
  const shapes = new Map();
  const runs = new Map(cfg.measurements.map((m) => [m, new Map(cfg.topologies.map((t) => [t, []]))]));
  const fail = (topologyId, err, what) => {
    failures.push({ error: new Error(`${topologyId}: ${what}: ${err.message}`) });
    ctx.log(`${id}: ${topologyId} FAILED ${what}: ${err.message}`);
    systems.delete(topologyId);
  };
  ctx.log(`${id}: ${cfg.topologies.join(" and ")}; ${cfg.measurements.join(", ")}; ${cfg.rounds} round(s)`);
  const started = [];
  try {
    // Both shapes are up for the whole run, so their rounds alternate seconds apart under the same background load.
    for (const topologyId of cfg.topologies) {
      try {
        const sut = await startShardsSystem(ctx, cfg, topologyId);
        started.push(sut);
        systems.set(topologyId, sut);
        shapes.set(topologyId, { label: sut.redis.label, version: sut.redis.version });
      } catch (err) {
        fail(topologyId, err, "to start");
      }
    }
    for (let round = 1; round <= cfg.rounds; round++) {
      for (const name of cfg.measurements) {
        for (const topologyId of rotate(cfg.topologies, round - 1)) {
          const sut = systems.get(topologyId);
          if (!sut) continue;
          try {
            const r = await measureShards(ctx, cfg, sut, MEASUREMENTS[name].kind);
            runs
              .get(name)
              .get(topologyId)
              .push({ ...r, round });
            ctx.log(`${id}: round ${round}/${cfg.rounds} ${name} ${sut.redis.label}: ${phaseLog(r)}`);
          } catch (err) {
            fail(topologyId, err, name);
          }
        }
      }
    }
    for (const sut of started) {
      const status = await Promise.all(
        sut.loads.map((l) =>
          l.call("status", {}, ctx.config.callTimeoutMs).catch(() => ({ anomalies: {}, firstErrors: [] })),
        ),
      );
      const anomalies = {};
      for (const s of status) for (const [k, v] of Object.entries(s.anomalies)) anomalies[k] = (anomalies[k] ?? 0) + v;
      const shape = shapes.get(sut.id);
      if (shape) Object.assign(shape, { status: { anomalies, firstErrors: status.flatMap((s) => s.firstErrors) } });
    }
  } finally {
    await Promise.all(started.map((sut) => teardownShardsSystem(sut)));
  }
  return { tables: redisShardsTables(cfg, runs, shapes), failures };
}
