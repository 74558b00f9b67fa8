// The tables of the redis-shards scenario: one per measurement, a row per Redis shape (its median round), with every
// process's CPU, which resource set the figure, and notes explaining what limits the cluster on this machine.
import os from "node:os";
import { median } from "../lib/stats.mjs";
import { columns, fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";

const CORES = os.cpus().length;

const sum = (list) => list.reduce((n, x) => n + x, 0);
const pct = (n) => `${fmtInt(n)}%`;
const each = (list) => list.map((n) => fmtInt(n)).join(" / ");
const parts = (list) => `${pct(sum(list))} (${each(list)})`;

/** What each measurement counts, and how its table names it. */
export const MEASUREMENTS = {
  broadcasts: {
    kind: "room",
    unit: "broadcast",
    rate: "broadcasts/s",
    delivered: "deliveries/s",
    title: (cfg) =>
      `Redis shards: cross-instance room broadcasts, ${fmtInt(cfg.rooms)} rooms of ${2 * cfg.roomMembers} members ` +
      `(${cfg.roomMembers} per instance), 1 redis-server vs a ${cfg.masters}-master cluster`,
    shape: (cfg) =>
      `${fmtInt(cfg.rooms)} rooms, each with ${cfg.roomMembers} members on each of the 2 instances; a member on one ` +
      `instance sends \`say\` (a command whose handler calls broadcastRoom, one publish on the room's channel), and ` +
      `sends the next once a member on the other instance has the previous; half the rooms publish from each ` +
      `instance. ${cfg.inFlight} broadcasts in flight per room; every member counts its deliveries (the publisher's ` +
      `own included). broadcasts/s: \`say\` answered`,
  },
  records: {
    kind: "record",
    unit: "committed update",
    rate: "updates committed/s",
    delivered: "updates delivered/s",
    title: (cfg) =>
      `Redis shards: record updates, ${fmtInt(cfg.records)} records (a writer on one instance, ` +
      `${cfg.recordSubscribers} subscribers on the other), 1 redis-server vs a ${cfg.masters}-master cluster`,
    shape: (cfg) =>
      `${fmtInt(cfg.records)} records \`{ seq, t, body: ${cfg.paddingBytes} bytes }\`, each written by one client ` +
      `(\`mesh/publish-record-update\`) on one instance and followed in patch mode by ${cfg.recordSubscribers} on the ` +
      `other; the writer writes the next value once a subscriber has the previous; half the records are written on ` +
      `each instance. ${cfg.inFlight} writes in flight per record. committed/s: writes answered with their version`,
  },
};

const COLUMNS = (m) =>
  columns({
    redis: "Redis",
    rate: m.rate,
    delivered: m.delivered,
    vs: "vs 1 Redis",
    p50: "p50 ms",
    p99: "p99 ms",
    redisCpu: "Redis CPU % (each process)",
    redisCmds: "Redis cmds/s (each process)",
    serverCpu: "meshwork CPU % (#1 + #2)",
    loadCpu: "load CPU % (#1 + #2)",
    other: "other CPU %",
    busy: `machine busy % (of ${CORES * 100})`,
    cost: `CPU µs / ${m.unit}: Redis + meshwork + load + irq`,
    limit: "limit",
  });

/** A window where other processes used more than 10% of a core. */
const disturbed = (r) => r.otherCpu > 10;

/** Which resource set a run's figure: a saturated redis-server, the cores, one instance's event loop, or none. */
function limitOf(r) {
  const redisMax = Math.max(...r.redisCpu);
  if (redisMax >= 90) return `Redis (a redis-server at ${pct(redisMax)})`;
  if (r.busyCpu >= 90 * CORES) return `the ${CORES} cores${disturbed(r) ? ", shared" : ""}`;
  const serverMax = Math.max(...r.serverCpu);
  if (serverMax >= 90) return `an instance's event loop (${pct(serverMax)})`;
  if (Math.max(...r.loadCpu) >= 90) return "the load generator";
  return "messages in flight (round trips)";
}

/**
 * The round every shape's row comes from: of the rounds where all of them ran, the one whose busiest window left
 * other processes the least CPU, so the shapes compared ran seconds apart under the least background load.
 */
function quietestRound(byShape, topologies) {
  const rounds = new Map();
  for (const t of topologies) {
    for (const r of byShape.get(t) ?? []) rounds.set(r.round, [...(rounds.get(r.round) ?? []), r]);
  }
  let best;
  for (const [round, list] of rounds) {
    if (list.length !== topologies.length) continue;
    const other = Math.max(...list.map((r) => r.otherCpu));
    if (!best || other < best.other) best = { round, other };
  }
  return best?.round;
}

/** The run of `list` in `round`, or, when there is none, the one whose delivered/s is its median. */
function pick(list, round) {
  const inRound = list.find((r) => r.round === round);
  if (inRound || !list.length) return inRound;
  const mid = median(list.map((r) => r.deliveredPerS));
  return list.reduce((best, r) => (Math.abs(r.deliveredPerS - mid) < Math.abs(best.deliveredPerS - mid) ? r : best));
}

/** CPU microseconds each part of the system spent per message answered (a broadcast, a committed update). */
function costOf(r) {
  const us = (percent) => (percent * 1e4) / r.answeredPerS;
  const redis = us(sum(r.redisCpu));
  const meshwork = us(sum(r.serverCpu));
  const load = us(sum(r.loadCpu));
  const irq = us(r.irqCpu);
  const total = redis + meshwork + load + irq;
  return { redis, meshwork, load, irq, total, text: `${[redis, meshwork, load, irq].map(fmtInt).join(" + ")}` };
}

function row(label, r, single) {
  const cost = costOf(r);
  return {
    redis: label,
    rate: fmtInt(r.answeredPerS),
    delivered: fmtInt(r.deliveredPerS),
    vs: single && single !== r ? fmtRatio(r.deliveredPerS / single.deliveredPerS) : "",
    p50: fmtFixed(r.p50, 2),
    p99: fmtFixed(r.p99, 2),
    redisCpu: each(r.redisCpu),
    redisCmds: each(r.commandsPerS),
    serverCpu: `${pct(sum(r.serverCpu))} (${each(r.serverCpu)})`,
    loadCpu: `${pct(sum(r.loadCpu))} (${each(r.loadCpu)})`,
    other: pct(r.otherCpu),
    busy: pct(r.busyCpu),
    cost: `${cost.text} = ${fmtInt(cost.total)}`,
    limit: limitOf(r),
  };
}

/** Where each shape's CPU went, and why the cluster figure is what it is on this machine. */
function explain(cfg, m, single, cluster) {
  const where = (label, r) =>
    `${label}: Redis ${parts(r.redisCpu)}, meshwork ${parts(r.serverCpu)}, load ${parts(r.loadCpu)}, interrupts ` +
    `${pct(r.irqCpu)}, other processes ${pct(r.otherCpu)}: machine ${pct(r.busyCpu)} of ${CORES * 100}%`;
  const notes = [];
  if (single) notes.push(where("CPU with 1 redis-server", single));
  if (cluster) notes.push(where(`CPU with the ${cfg.masters}-master cluster`, cluster));
  if (!single || !cluster) return notes;
  const ratio = `measured at ${fmtRatio(cluster.deliveredPerS / single.deliveredPerS)} the single one`;
  const redisOne = Math.max(...single.redisCpu);
  const [a, b] = [costOf(single), costOf(cluster)];
  const cost = (c) =>
    `${fmtInt(c.total)} µs (Redis ${fmtInt(c.redis)}, meshwork ${fmtInt(c.meshwork)}, load ${fmtInt(c.load)}, ` +
    `interrupts ${fmtInt(c.irq)})`;
  const perMessage =
    `CPU per ${m.unit}, every process: 1 redis-server ${cost(a)}, the cluster ${cost(b)}. The cluster adds Redis ` +
    `processes, not cores: it splits Redis's share over ${cluster.redisCpu.length} processes on the same ${CORES} ` +
    `cores (${each(cluster.redisCpu)}% of a core each; ${fmtInt(b.redis)} µs per ${m.unit} in all against ` +
    `${fmtInt(a.redis)} on one redis-server), and each instance keeps a ` +
    "connection per shard, routes every command by hash slot and subscribes each room or record channel on the " +
    `shard that owns it (meshwork ${fmtInt(b.meshwork)} µs per ${m.unit} against ${fmtInt(a.meshwork)})`;
  const shared = disturbed(single) || disturbed(cluster) ? ", and whatever other processes took of them" : "";
  if (redisOne >= 90) {
    notes.push(
      `What limits the cluster figure (${ratio}): with 1 redis-server Redis was the limit (${pct(redisOne)} ` +
        `of a core); the cluster spreads that work, so the rest of the system can go faster until the ${CORES} ` +
        `cores run out (${pct(cluster.busyCpu)} busy). ${perMessage}.`,
    );
  } else if (single.busyCpu >= 90 * CORES) {
    notes.push(
      `What limits the cluster figure (${ratio}): with 1 redis-server, Redis was not the limit (one ` +
        `process at ${pct(redisOne)} of a core) while the machine was ${pct(single.busyCpu)} busy of ` +
        `${CORES * 100}%. On cores that are all busy, the rate is the cores' time over what one ${m.unit} costs ` +
        `every process. ${perMessage}. So on this machine the cluster figure is bounded by the ${CORES} cores` +
        `${shared}: at ${fmtRatio(b.total / a.total)} the CPU per ${m.unit}, the same cores give it ` +
        `${fmtRatio(a.total / b.total)} the single-Redis rate (the measured ratio also moves by whatever other ` +
        "processes took from one shape's window more than from the other's). Sharding pays where one redis-server is " +
        "at ~100% of a core while the shards, the instances and the clients have cores of their own.",
    );
  } else {
    notes.push(
      `What limits the cluster figure (${ratio}): neither Redis (${pct(redisOne)} of a core) nor the ` +
        `${CORES} cores (${pct(single.busyCpu)} busy) were saturated with 1 redis-server: the figure is bounded by ` +
        `the messages in flight (${cfg.inFlight} per stream) and their round trip through Redis. ${perMessage}.`,
    );
  }
  return notes;
}

/** Notes on what went wrong: streams that stopped, errors, anomalies, disturbed rounds. */
function problems(label, list, status) {
  const notes = [];
  const idle = list.filter((r) => r.idleStreams > 0);
  if (idle.length) {
    const worst = Math.max(...idle.map((r) => r.idleStreams));
    notes.push(
      `WARNING ${label}: up to ${worst} streams delivered nothing in ${idle.length} window(s) (a lost message)`,
    );
  }
  const counted = Object.entries(status?.anomalies ?? {}).flatMap(([k, v]) => (v ? [`${k}=${v}`] : []));
  if (counted.length) notes.push(`${label}: client anomalies (whole run, every measurement): ${counted.join(", ")}`);
  if (status?.firstErrors?.length) notes.push(`${label}: first error answers: ${status.firstErrors.join("; ")}`);
  const shared = list.filter(disturbed);
  if (shared.length) {
    const most = pct(Math.max(...shared.map((r) => r.otherCpu)));
    notes.push(
      `${label}: ${shared.length} of ${list.length} windows ran while other processes used more than 10% of a ` +
        `core (up to ${most}): figures from a shared machine; compare the two Redis shapes within this run only`,
    );
  }
  return notes;
}

/**
 * The tables of a run: `runs.get(measurement).get(topologyId)` lists its rounds; `shapes` maps each topology id to
 * `{ label, version, status }`.
 */
export function redisShardsTables(cfg, runs, shapes) {
  return cfg.measurements.map((name) => {
    const m = MEASUREMENTS[name];
    const byShape = runs.get(name) ?? new Map();
    const round = quietestRound(byShape, cfg.topologies);
    const chosen = new Map(cfg.topologies.map((t) => [t, pick(byShape.get(t) ?? [], round)]));
    const single = chosen.get("single");
    const rows = cfg.topologies.map((t) => {
      const label = `${shapes.get(t)?.label ?? t} ${shapes.get(t)?.version ?? ""}`.trim();
      const r = chosen.get(t);
      return r ? row(label, r, single) : { redis: label, rate: "FAILED" };
    });
    const rounds = cfg.topologies.map(
      (t) => `${shapes.get(t)?.label ?? t} ${each((byShape.get(t) ?? []).map((r) => r.deliveredPerS))}`,
    );
    const ratios = (byShape.get("cluster") ?? []).flatMap((c) => {
      const one = (byShape.get("single") ?? []).find((x) => x.round === c.round);
      return one ? [c.deliveredPerS / one.deliveredPerS] : [];
    });
    const ratioNote = ratios.length
      ? [`cluster ÷ 1 redis-server, ${m.delivered} by round: ${ratios.map(fmtRatio).join(" / ")}`]
      : [];
    const notes = [
      `${m.shape(cfg)}. 2 meshwork instances, 2 load processes; warm-up ${fmtInt(cfg.warmupMs)} ms, window ` +
        `${fmtInt(cfg.durationMs)} ms, ${cfg.rounds} round(s), the two Redis shapes alternating (the order rotated ` +
        `each round); the rows come from one round${round ? ` (round ${round})` : ""}, the one whose busiest window ` +
        "left other processes the least CPU. Latency: source's send → delivery on the " +
        "shared monotonic clock. CPU % is of one core over the window (/proc/<pid>/stat utime + stime, every " +
        `thread), so the machine has ${CORES * 100}%. Columns: bench/README.md, "Reading the tables".`,
      `${m.delivered} by round: ${rounds.join("; ")}`,
      ...ratioNote,
      ...explain(cfg, m, single, chosen.get("cluster")),
      ...cfg.topologies.flatMap((t) =>
        problems(shapes.get(t)?.label ?? t, byShape.get(t) ?? [], shapes.get(t)?.status),
      ),
    ];
    return { title: m.title(cfg), columns: COLUMNS(m), rows, notes };
  });
}
