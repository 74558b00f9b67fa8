// Child process hosting one server under test (a module from bench/servers/, see servers/index.mjs). It measures
// itself: CPU time between two markers (with, for the fan-out scenarios, write system calls and event-loop
// stalls), and memory after forced GC (started with --expose-gc for idle-memory). In a fan-out system the first
// instance is also the publisher (lib/publisher.mjs).
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { serveIpc, withTimeout } from "./ipc.mjs";
import { closeControl, listenControl, publish } from "./publisher.mjs";

let server;
let mark;
// Event-loop delay over a measured fan-out phase: a stalled loop delays heartbeats and deliveries alike.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

/** Read and write system calls of this process so far (Linux /proc/self/io; zeros elsewhere). */
function syscalls() {
  try {
    const text = readFileSync("/proc/self/io", "latin1");
    const field = (name) => Number(new RegExp(`^${name}: (\\d+)`, "m").exec(text)?.[1] ?? 0);
    return { reads: field("syscr"), writes: field("syscw") };
  } catch {
    return { reads: 0, writes: 0 };
  }
}

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

serveIpc({
  /** Imports `module`, calls its `startServer({ ...options, host, port })`; returns the port it listens on. */
  async start({ module, host, port, options = {} }) {
    if (server) throw new Error("server already started");
    const mod = await import(pathToFileURL(module).href);
    if (typeof mod.startServer !== "function") throw new Error(`${module} does not export startServer()`);
    server = await mod.startServer({ ...options, host, port });
    if (!Number.isInteger(server?.port) || server.port <= 0) {
      throw new Error(`${module}: startServer() returned no port (got ${server?.port})`);
    }
    return { port: server.port, pid: process.pid };
  },

  /** Marks the start of a measured window; `detail` also counts system calls and event-loop stalls. */
  cpuStart({ detail = false } = {}) {
    if (detail) {
      loopDelay.reset();
      loopDelay.enable();
    }
    mark = { detail, io: detail ? syscalls() : undefined, cpu: process.cpuUsage(), wall: process.hrtime.bigint() };
    return {};
  },

  /** CPU used by the whole process (every thread: JS, GC helpers, libuv) since cpuStart. */
  cpuStop() {
    if (!mark) throw new Error("cpuStop before cpuStart");
    const { user, system } = process.cpuUsage(mark.cpu);
    const out = { userUs: user, systemUs: system, wallMs: Number(process.hrtime.bigint() - mark.wall) / 1e6 };
    if (mark.detail) {
      const io = syscalls();
      loopDelay.disable();
      out.maxLoopDelayMs = loopDelay.count > 0 ? loopDelay.max / 1e6 : 0;
      out.readSyscalls = io.reads - mark.io.reads;
      out.writeSyscalls = io.writes - mark.io.writes;
      out.diagnostics = server?.diagnostics?.();
    }
    mark = undefined;
    return out;
  },

  /** Forces full GCs, then reports memory. */
  async memory({ gcRounds = 4 } = {}) {
    if (typeof globalThis.gc !== "function") throw new Error("server child needs --expose-gc");
    for (let i = 0; i < gcRounds; i++) {
      globalThis.gc();
      // Let finalizers and deferred cleanup run between collections.
      await nextTick();
    }
    return { ...process.memoryUsage(), connections: server?.connections?.() };
  },

  connections() {
    return server?.connections?.();
  },

  async roomSize() {
    return server?.roomSize ? await server.roomSize() : undefined;
  },

  listenControl,

  publish(params) {
    if (!server?.broadcast) throw new Error("start a server with broadcast() first");
    return publish(server, params);
  },

  async shutdown() {
    closeControl();
    if (server) await withTimeout(Promise.resolve(server.close()), 10_000, "server close").catch(() => {});
  },
});
