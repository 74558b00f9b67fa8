// Latency samples, percentiles and medians.

/** A growable Float64Array with a hard cap, so a runaway run cannot exhaust memory. */
export class SampleBuffer {
  data = new Float64Array(1 << 16);
  length = 0;

  push(value) {
    if (this.length === this.data.length) {
      if (this.length >= 20_000_000) return;
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** A copy holding exactly the samples. */
  values() {
    return this.data.slice(0, this.length);
  }
}

/** Concatenates sample arrays (one per load process). */
export function mergeSamples(arrays) {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** Nearest-rank percentile (p in 0..100) of an ascending array; NaN when empty. */
function percentile(sortedAscending, p) {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  return sortedAscending[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
}

/** Sorts in place (typed arrays sort numerically) and returns p50, p99 and max. */
export function summarize(samples) {
  samples.sort();
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.length ? samples[samples.length - 1] : Number.NaN,
  };
}

/** Median of plain numbers; NaN when empty. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The run of `list` whose `perCpuS` is closest to the median; undefined when the list is empty. */
export function pickMedian(list) {
  if (!list || list.length === 0) return undefined;
  const mid = median(list.map((r) => r.perCpuS));
  return list.reduce((best, r) => (Math.abs(r.perCpuS - mid) < Math.abs(best.perCpuS - mid) ? r : best));
}

/** Splits `total` into `parts` near-equal integers. */
export function split(total, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}
