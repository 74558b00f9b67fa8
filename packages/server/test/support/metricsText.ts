/**
 * Reads Prometheus exposition text into `series → value`, keyed the way PromQL names a series:
 * `name{label="value",…}` with the labels sorted, or the bare name when it has none.
 */
export function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const [, name, labels = "", value = ""] = match;
    const sorted = [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, val]) => `${key}="${val}"`).sort();
    series.set(sorted.length === 0 ? (name as string) : `${name}{${sorted.join(",")}}`, Number(value));
  }
  return series;
}

/** The series of one metric whose name starts with `prefix`, as a plain object, for readable assertions. */
export function seriesOf(series: Map<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries([...series].filter(([key]) => key === prefix || key.startsWith(`${prefix}{`)));
}
