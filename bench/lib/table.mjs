// Tables printed as GitHub Markdown with padded columns: readable in a terminal and pasteable into BENCHMARKS.md.

/** Columns from `{ key: title }`, in order: the first left-aligned (the row's name), the others right-aligned. */
export const columns = (titles) =>
  Object.entries(titles).map(([key, title], i) => ({ key, title, align: i === 0 ? "left" : "right" }));

/** `rows` hold cells already formatted as text, by column key. */
export function formatTable(cols, rows) {
  const widths = cols.map((c) => Math.max(c.title.length, 3, ...rows.map((r) => String(r[c.key] ?? "").length)));
  const pad = (text, i) => String(text ?? "")[cols[i].align === "left" ? "padEnd" : "padStart"](widths[i]);
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const rule = cols.map((c, i) => (c.align === "left" ? "-".repeat(widths[i]) : `${"-".repeat(widths[i] - 1)}:`));
  const body = rows.map((r) => line(cols.map((c, i) => pad(r[c.key], i))));
  return [line(cols.map((c, i) => pad(c.title, i))), line(rule), ...body].join("\n");
}

const intFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 12,345 */
export const fmtInt = (n) => (Number.isFinite(n) ? intFormat.format(Math.round(n)) : "n/a");

/** Fixed decimals. */
export const fmtFixed = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** 0.93× */
export const fmtRatio = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "n/a");
