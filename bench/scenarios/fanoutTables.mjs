// The tables of the fan-out scenarios: one per mode, a row per system (its median run), notes with the figures
// behind the rows (per round, Redis commands, problems, goals, disturbed phases). What the columns mean is in
// bench/README.md, "Reading the tables".
import { pickMedian, split } from "../lib/stats.mjs";
import { fmtFixed, fmtInt, fmtRatio } from "../lib/table.mjs";

export const verdict = (ok) => (ok ? "met" : "MISSED");

const sum = (list, f) => list.reduce((n, x) => n + f(x), 0);

/** `[a/b for every round where both ran]` of `field`, between the runs of two systems. */
export function ratiosByRound(listA, listB, field) {
  return listA.flatMap((ra) => {
    const rb = listB.find((x) => x.round === ra.round);
    return rb ? [ra[field] / rb[field]] : [];
  });
}

/** Notes on what went wrong in a system's phases: anomalies, stalls, failed or skipped publishes, fixed-rate loss. */
export function problemNotes(sys, mode, list) {
  const notes = [];
  // A load process counts anomalies from its start: the last run holds them all.
  const counted = Object.entries(list.at(-1)?.anomalies ?? {}).flatMap(([k, v]) => (v ? [`${k}=${v}`] : []));
  if (counted.length) notes.push(`${sys.label}: client anomalies (cumulative): ${counted.join(", ")}`);
  const stalls = list.filter((x) => x.maxLoopDelayMs.some((d) => d > 250));
  if (stalls.length) {
    const longest = fmtInt(Math.max(...list.flatMap((x) => x.maxLoopDelayMs)));
    notes.push(
      `${sys.label}: event loop of an instance stalled > 250 ms in ${stalls.length} of ${list.length} runs ` +
        `(longest ${longest} ms)`,
    );
  }
  const diag = (list.at(-1)?.serverDiagnostics ?? []).filter(Boolean);
  if (diag.some((d) => Object.values(d).some((v) => v))) {
    notes.push(`${sys.label}: server events so far per instance: ${diag.map((d) => JSON.stringify(d)).join(" / ")}`);
  }
  const errors = sum(list, (x) => x.errors);
  const firstError = list.find((x) => x.firstError)?.firstError;
  if (errors) notes.push(`${sys.label}: ${errors} publishes failed (first: ${firstError})`);
  const missed = sum(list, (x) => x.missed);
  if (missed) notes.push(`${sys.label}: ${missed} publishes skipped: more than 10,000 publishes awaited Redis`);
  const stalled = list.filter((x) => x.stalled).length;
  if (stalled) {
    const what = "the full-rate publisher stalled (no client progress for 2 s) and stopped early";
    notes.push(`${sys.label}: ${what} in ${stalled} run(s)`);
  }
  const lost = sum(list, (x) => x.lost);
  if (mode === "rate" && lost !== 0) {
    notes.push(`WARNING ${sys.label}: ${lost} deliveries lost at the fixed rate (must be 0)`);
  }
  return notes;
}

/** The note on phases that ran while other processes used more than 10% of a core; null when none did. */
function disturbedNote(phases) {
  const disturbed = phases.filter((x) => x.otherCpuS > 0.1 * x.wallS);
  if (!disturbed.length) return null;
  const cores = fmtFixed(Math.max(...disturbed.map((x) => x.otherCpuS / x.wallS)), 2);
  return (
    `${disturbed.length} of ${phases.length} phases ran while other processes used more than 10% of a core ` +
    `(up to ${cores} cores): figures from a shared machine; compare the systems within this run only`
  );
}

/** Commands per publish from MONITOR counts `{ name: count }`: the total and "evalsha 1.00 + publish 1.00". */
export function perPublish(map, published) {
  const entries = Object.entries(map ?? {}).sort((a, b) => b[1] - a[1]);
  return {
    total: published ? sum(entries, ([, c]) => c) / published : Number.NaN,
    text: entries.map(([n, c]) => `${n} ${fmtFixed(c / published, 2)}`).join(" + ") || "none",
  };
}

/** The first note of a table: its load and sizes (`unit`: "broadcasts", ...; `payload`: what is published). */
export function headerNote({ cfg, mode, redisVersion }, unit, payload) {
  const shape =
    mode === "rate"
      ? `fixed rate ${fmtInt(cfg.ratePerS)} ${unit}/s (${fmtInt(cfg.ratePerS * cfg.clients)} deliveries/s expected)`
      : `full rate: at most ${cfg.window} ${unit} not yet received by every client`;
  return (
    `${shape}; ${fmtInt(cfg.durationMs)} ms per phase, ${cfg.rounds} round(s), warm-up ${fmtInt(cfg.warmupMs)} ms; ` +
    `2 instances on redis-server ${redisVersion}, ${cfg.clients} clients (${split(cfg.clients, 2).join(" + ")}), ` +
    `${payload}. Columns: bench/README.md, "Reading the tables".`
  );
}

/** The cells every fan-out table has, for system `sys`'s run `r` out of its runs `list`. */
export function baseCells(sys, r, list) {
  return {
    system: sys.label,
    pps: fmtInt(r.publishesPerS),
    dps: fmtInt(r.deliveriesPerS),
    lost: `${fmtInt(sum(list, (x) => x.lost))} / ${fmtInt(sum(list, (x) => x.expected))}`,
    p50: fmtFixed(r.p50, 2),
    p99: fmtFixed(r.p99, 2),
    cpu: `${fmtFixed(r.serverCpuS, 2)} (${r.instanceCpuS.map((c) => fmtFixed(c, 2)).join("+")})`,
    perCpu: fmtInt(r.perCpuS),
    redisCpu: fmtFixed(r.redisCpuS, 2),
    loadCpu: fmtFixed(r.loadCpuS, 2),
    other: fmtFixed(r.otherCpuS, 2),
  };
}

/**
 * The row of a channel-fanout or record-updates system; notes its per-round figures, Redis commands per `unit`
 * (INFO commandstats, MONITOR accounting) and problems. `vs` is the field compared with Socket.IO's.
 */
export function subscriberRow(t, sys, r, { unit, rounds, vs }) {
  const list = t.list(sys.id);
  const acc = t.accounting.get(sys.id);
  const client = perPublish(acc?.client, acc?.published);
  const lua = perPublish(acc?.lua, acc?.published);
  const stats = r.commands.map(([n, c]) => `${n} ${fmtFixed(c / r.published, 2)}`).join(" + ") || "none";
  t.notes.push(
    `${sys.label}: ${rounds} by round ${list.map((x) => fmtInt(x.deliveriesPerS)).join(" / ")}; INFO commandstats ` +
      `in the run shown: ${stats} per ${unit}; MONITOR accounting (${fmtInt(acc?.published)} ${unit}s at the fixed ` +
      `rate): client-sent ${client.text}, inside Lua ${lua.text}`,
    ...problemNotes(sys, t.mode, list),
  );
  const sio = t.chosen.get("socketio");
  return {
    ...baseCells(sys, r, list),
    bytes: fmtInt(r.bytesPerDelivery),
    cmdsAll: fmtFixed(r.cmdsPerPublish, 2),
    cmdsClient: fmtFixed(client.total, 2),
    vsSio: sio ? fmtRatio(r[vs] / sio[vs]) : "n/a",
  };
}

/**
 * A fan-out scenario's `tables(cfg, runs, accounting, redisVersion)` from `spec`: `columns`, `title(t)`, `header(t)`,
 * `row(t, sys, r)` (may add `t.notes`), `goals(t)`, `disturbedPerMode` (disturbed phases counted in the table's mode,
 * not in all). `t`: `cfg`, `mode`, `list(sysId)` (its runs), `chosen` (median runs), `accounting`, `redisVersion`.
 */
export function fanoutTables(spec) {
  return (cfg, runs, accounting, redisVersion) => {
    const everyPhase = [...runs.values()].flatMap((m) => [...m.rate, ...m.full]);
    return cfg.modes.map((mode) => {
      const list = (sysId) => runs.get(sysId)?.[mode] ?? [];
      const chosen = new Map(cfg.systems.map((sys) => [sys.id, pickMedian(list(sys.id))]));
      const t = { cfg, mode, list, chosen, accounting, redisVersion, notes: [] };
      const rows = cfg.systems.map((sys) => {
        const r = chosen.get(sys.id);
        return r ? spec.row(t, sys, r) : { system: sys.label, [spec.columns[1].key]: "FAILED" };
      });
      const goals = spec.goals?.(t) ?? [];
      const notes = [spec.header(t), ...(goals.length ? [`goals (meshwork): ${goals.join("; ")}`] : []), ...t.notes];
      const disturbed = disturbedNote(spec.disturbedPerMode ? cfg.systems.flatMap((s) => list(s.id)) : everyPhase);
      if (disturbed) notes.push(disturbed);
      return { title: spec.title(t), columns: spec.columns, rows, notes };
    });
  };
}
