// Tables printed as GitHub Markdown with padded columns: readable in a terminal and pasteable into BENCHMARKS.md.

/**
 * @param {{ key: string, title: string, align?: "left" | "right" }[]} columns
 * @param {Record<string, string>[]} rows cells already formatted as text
 */
export function formatTable(columns, rows) {
  const widths = columns.map((c) => Math.max(c.title.length, 3, ...rows.map((r) => String(r[c.key] ?? "").length)));
  const pad = (text, i) => {
    const s = String(text ?? "");
    return columns[i].align === "left" ? s.padEnd(widths[i]) : s.padStart(widths[i]);
  };
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const header = line(columns.map((c, i) => (c.align === "left" ? c.title.padEnd(widths[i]) : c.title.padStart(widths[i]))));
  const rule = line(columns.map((c, i) => (c.align === "left" ? "-".repeat(widths[i]) : `${"-".repeat(widths[i] - 1)}:`)));
  return [header, rule, ...rows.map((r) => line(columns.map((c, i) => pad(r[c.key], i))))].join("\n");
}

const intFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 12,345 */
export const fmtInt = (n) => (Number.isFinite(n) ? intFormat.format(Math.round(n)) : "n/a");

/** Fixed decimals. */
export const fmtFixed = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** 0.93× */
export const fmtRatio = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "n/a");
