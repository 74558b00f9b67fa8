#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self and inclusive time,
// and self time by package. Usage: node bench/tools/cpuprofile-top.mjs FILE.cpuprofile [topN]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: node bench/tools/cpuprofile-top.mjs FILE.cpuprofile [topN]\n");
  process.exit(2);
}
const topN = Number(topArg) || 25;
const profile = JSON.parse(readFileSync(file, "utf8"));

const byId = new Map();
const parent = new Map();
for (const node of profile.nodes) {
  byId.set(node.id, node);
  for (const child of node.children ?? []) parent.set(child, node.id);
}

function shortUrl(url) {
  if (!url) return "";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length);
  const pk = url.indexOf("/packages/");
  if (pk >= 0) return url.slice(pk + 1);
  return url.replace(/^file:\/\//, "");
}

function packageOf(url) {
  if (!url) return "(native / vm)";
  if (url.startsWith("node:")) return "node: internals";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const pk = url.match(/\/packages\/([^/]+)\//);
  if (pk) return `@meshwork/${pk[1]}`;
  if (url.includes("/bench/")) return "bench harness";
  return url;
}

function label(node) {
  const cf = node.callFrame;
  const name = cf.functionName || "(anonymous)";
  return cf.url ? `${name}  ${shortUrl(cf.url)}:${cf.lineNumber + 1}` : name;
}

const self = new Map();
const inclusive = new Map();
const selfByPackage = new Map();
let total = 0;
let idle = 0;
const add = (map, key, v) => map.set(key, (map.get(key) ?? 0) + v);

for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  const node = byId.get(profile.samples[i]);
  if (!node) continue;
  total += dt;
  const fn = node.callFrame.functionName;
  if (fn === "(idle)") {
    idle += dt;
    continue;
  }
  add(self, label(node), dt);
  add(selfByPackage, fn === "(garbage collector)" ? "(garbage collector)" : packageOf(node.callFrame.url), dt);
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const l = label(byId.get(id));
    if (seen.has(l)) continue;
    seen.add(l);
    add(inclusive, l, dt);
  }
}

// Piping into `head` closes stdout early; that is not an error.
process.stdout.on("error", (err) => {
  if (err.code !== "EPIPE") throw err;
});

const busy = total - idle;
const pct = (v) => `${((100 * v) / busy).toFixed(1).padStart(5)}%`;
const print = (title, map, n) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(v)}  ${k}\n`);
};

process.stdout.write(`${file}\nsampled ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s (percentages are of busy time)\n`);
print("self time by package", selfByPackage, 15);
print(`self time, top ${topN}`, self, topN);
inclusive.delete("(root)");
print(`inclusive time, top ${topN}`, inclusive, topN);
