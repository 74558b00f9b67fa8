// The cells and notes the fan-out tables share (cluster-broadcast, channel-fanout, record-updates): problems seen in
// a system's phases, disturbed phases, per-round ratios, Redis commands per publish, and the subscriber tables' row.
import { HARNESS_COMMANDS } from "../lib/fanoutSystem.mjs";
import { fmtFixed, fmtInt } from "../lib/table.mjs";

/** `[a/b for every round where both ran]` of `field`, between systems `a` and `b` of `list`s by round. */
export function ratiosByRound(listA, listB, field) {
  const out = [];
  for (const ra of listA ?? []) {
    const rb = (listB ?? []).find((x) => x.round === ra.round);
    if (rb) out.push(ra[field] / rb[field]);
  }
  return out;
}

/** Notes on what went wrong in a system's phases: anomalies, stalls, failed or skipped publishes, fixed-rate loss. */
export function problemNotes(sys, mode, list) {
  const notes = [];
  const sum = (f) => list.reduce((n, x) => n + f(x), 0);
  const anomalies = {};
  for (const x of list) for (const [k, v] of Object.entries(x.anomalies)) if (v) anomalies[k] = Math.max(anomalies[k] ?? 0, v);
  if (Object.keys(anomalies).length) {
    notes.push(`${sys.label}: client anomalies (cumulative): ${Object.entries(anomalies).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  }
  const stalls = list.filter((x) => x.maxLoopDelayMs.some((d) => d > 250));
  if (stalls.length) {
    notes.push(`${sys.label}: event loop of an instance stalled > 250 ms in ${stalls.length} of ${list.length} runs (longest ${fmtInt(Math.max(...list.flatMap((x) => x.maxLoopDelayMs)))} ms)`);
  }
  const diag = (list.at(-1)?.serverDiagnostics ?? []).filter(Boolean);
  if (diag.some((d) => Object.values(d).some((v) => v))) notes.push(`${sys.label}: server events so far per instance: ${diag.map((d) => JSON.stringify(d)).join(" / ")}`);
  const errors = sum((x) => x.errors);
  if (errors) notes.push(`${sys.label}: ${errors} publishes failed (first: ${list.find((x) => x.firstError)?.firstError})`);
  const missed = sum((x) => x.missed);
  if (missed) notes.push(`${sys.label}: ${missed} publishes skipped: more than 10,000 publishes awaited Redis`);
  const stalled = list.filter((x) => x.stalled).length;
  if (stalled) notes.push(`${sys.label}: the full-rate publisher stalled (no client progress for 2 s) and stopped early in ${stalled} run(s)`);
  const lost = sum((x) => x.lost);
  if (mode === "rate" && lost !== 0) notes.push(`WARNING ${sys.label}: ${lost} deliveries lost at the fixed rate (must be 0)`);
  return notes;
}

/** The note on phases that ran while other processes used more than 10% of a core; null when none did. */
export function disturbedNote(phases) {
  const disturbed = phases.filter((x) => x.otherCpuS > 0.1 * x.wallS);
  if (!disturbed.length) return null;
  return (
    `${disturbed.length} of ${phases.length} phases ran while other processes used more than 10% of a core ` +
    `(up to ${fmtFixed(Math.max(...disturbed.map((x) => x.otherCpuS / x.wallS)), 2)} cores): figures from a shared machine; compare the systems within this run only`
  );
}

/** "server CPU s (#1+#2)" cell: `1.23 (0.70+0.53)`. */
export const cpuCell = (r) => `${fmtFixed(r.serverCpuS, 2)} (${r.instanceCpuS.map((c) => fmtFixed(c, 2)).join("+")})`;

/** "lost / expected" cell, summed over every round. */
export const lostCell = (list) => `${fmtInt(list.reduce((n, x) => n + x.lost, 0))} / ${fmtInt(list.reduce((n, x) => n + x.expected, 0))}`;

/** Commands per publish from a `{ name: count }` map: the total and "evalsha 1.00 + publish 1.00". */
export function perPublish(map, published) {
  const entries = Object.entries(map ?? {})
    .filter(([n]) => !HARNESS_COMMANDS.has(n))
    .sort((a, b) => b[1] - a[1]);
  return {
    total: published ? entries.reduce((n, [, c]) => n + c, 0) / published : Number.NaN,
    text: entries.map(([n, c]) => `${n} ${fmtFixed(c / published, 2)}`).join(" + ") || "none",
  };
}

/**
 * One system's chosen run `r` as the channel-fanout and record-updates tables show it: the notes under the table
 * (per-round figures, Redis commands per `unit`, MONITOR accounting `acc`, problems) and the cells both tables
 * have. `rounds` names the per-round figure ("deliveries/s", "updates delivered/s").
 */
export function describeSubscriberRun(sys, mode, r, list, acc, { unit, rounds }) {
  const client = perPublish(acc?.client, acc?.published);
  const lua = perPublish(acc?.lua, acc?.published);
  const notes = [
    `${sys.label}: ${rounds} by round ${list.map((x) => fmtInt(x.deliveriesPerS)).join(" / ")}; INFO commandstats in the run shown: ` +
      `${r.commands.map(([n, c]) => `${n} ${fmtFixed(c / r.published, 2)}`).join(" + ") || "none"} per ${unit}; ` +
      `MONITOR accounting (${fmtInt(acc?.published)} ${unit}s at the fixed rate): client-sent ${client.text}, inside Lua ${lua.text}`,
    ...problemNotes(sys, mode, list),
  ];
  const cells = {
    system: sys.label,
    pps: fmtInt(r.publishesPerS),
    dps: fmtInt(r.deliveriesPerS),
    lost: lostCell(list),
    p50: fmtFixed(r.p50, 2),
    p99: fmtFixed(r.p99, 2),
    bytes: fmtInt(r.bytesPerDelivery),
    cmdsAll: fmtFixed(r.cmdsPerPublish, 2),
    cmdsClient: fmtFixed(client.total, 2),
    cpu: cpuCell(r),
    perCpu: fmtInt(r.perCpuS),
    redisCpu: fmtFixed(r.redisCpuS, 2),
    loadCpu: fmtFixed(r.loadCpuS, 2),
    other: fmtFixed(r.otherCpuS, 2),
  };
  return { notes, cells, clientCmds: client.total };
}

