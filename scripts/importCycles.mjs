// Finds import cycles inside each package's src, type-only imports included: a cycle makes modules depend on
// their own load order and hides which of them is the lower layer.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { importsOf, sourceFiles } from "./sourceFiles.mjs";

const EXTENSIONS = [".ts", ".tsx", ".mts", ".js", ".mjs"];

/** The file a relative import names, trying the extensions and `index` files TypeScript would. */
function resolveRelative(fromFile, specifier) {
  const base = join(dirname(fromFile), specifier.replace(/\.(js|mjs)$/, ""));
  for (const candidate of [
    ...EXTENSIONS.map((ext) => base + ext),
    ...EXTENSIONS.map((ext) => join(base, `index${ext}`)),
  ]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Import graph of one folder: file → files it imports by relative path. */
function importGraph(srcDir) {
  const graph = new Map();
  for (const file of sourceFiles(srcDir)) {
    const targets = new Set();
    for (const specifier of importsOf(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveRelative(file, specifier);
      if (target !== null) targets.add(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cyclicComponents(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node), low.get(target)));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node), index.get(target)));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.has(node)) found.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** One concrete cycle through a component, as a path that starts and ends at the same file. */
function cyclePath(graph, component) {
  const members = new Set(component);
  const start = [...members].sort()[0];
  const path = [start];
  const seen = new Set([start]);
  const walk = (node) => {
    for (const target of [...(graph.get(node) ?? [])].sort()) {
      if (target === start) return [...path, start];
      if (!members.has(target) || seen.has(target)) continue;
      seen.add(target);
      path.push(target);
      const closed = walk(target);
      if (closed) return closed;
      path.pop();
    }
    return null;
  };
  return walk(start) ?? [start, start];
}

/** Every import cycle in `packagesDir/<name>/src`, each as a readable line. */
export function findImportCycles(packagesDir) {
  const cycles = [];
  for (const name of readdirSync(packagesDir).sort()) {
    const srcDir = join(packagesDir, name, "src");
    if (!existsSync(srcDir)) continue;
    const graph = importGraph(srcDir);
    for (const component of cyclicComponents(graph)) {
      const path = cyclePath(graph, component).map((file) => relative(packagesDir, file).split("\\").join("/"));
      cycles.push(`import cycle: ${path.join(" → ")}`);
    }
  }
  return cycles;
}
