// Latency samples, percentiles and medians.

/** At most this many latency samples per window, so a runaway run cannot exhaust memory. */
export const MAX_SAMPLES = 20_000_000;

/** Nearest-rank percentile (p in 0..100) of an ascending array; NaN when empty. */
function percentile(sorted, p) {
  const n = sorted.length;
  return n ? sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] : Number.NaN;
}

/** p50 and p99 of sample arrays (one per load process). */
export function summarize(...arrays) {
  const sorted = Float64Array.from(arrays.flat()).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Median of plain numbers; NaN when empty. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The run of `list` whose `perCpuS` is closest to the median; undefined when the list is empty. */
export function pickMedian(list) {
  if (!list.length) return undefined;
  const mid = median(list.map((r) => r.perCpuS));
  return list.reduce((best, r) => (Math.abs(r.perCpuS - mid) < Math.abs(best.perCpuS - mid) ? r : best));
}

/** Splits `total` into `parts` near-equal integers. */
export function split(total, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}
