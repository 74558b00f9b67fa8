// The server child: hosts one server under test (servers/) and measures itself: CPU between two markers (in fan-out
// phases also write system calls and event-loop stalls), memory after forced GCs (started with --expose-gc for
// idle-memory). Instance #1 of a fan-out system also publishes (lib/publisher.mjs).
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { serveIpc, withTimeout } from "./ipc.mjs";
import { closeControl, listenControl, publish } from "./publisher.mjs";

let server;
let mark;
// Event-loop delay over a fan-out phase: a stalled loop delays heartbeats and deliveries alike.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

/** Write system calls of this process so far (Linux /proc/self/io; 0 elsewhere). */
function writeSyscalls() {
  try {
    return Number(/^syscw: (\d+)/m.exec(readFileSync("/proc/self/io", "latin1"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

serveIpc({
  /** Imports `module` and calls its `startServer({ ...options, host, port })`; returns the port it listens on. */
  async start({ module, host, port, options = {} }) {
    const mod = await import(pathToFileURL(module).href);
    server = await mod.startServer({ ...options, host, port });
    return { port: server.port };
  },

  cpuStart({ detail = false }) {
    if (detail) {
      loopDelay.reset();
      loopDelay.enable();
    }
    mark = { detail, writes: detail ? writeSyscalls() : 0, cpu: process.cpuUsage(), wall: process.hrtime.bigint() };
    return {};
  },

  /** CPU used by the whole process (every thread: JS, GC helpers, libuv) since cpuStart. */
  cpuStop() {
    const { user, system } = process.cpuUsage(mark.cpu);
    const out = { userUs: user, systemUs: system, wallMs: Number(process.hrtime.bigint() - mark.wall) / 1e6 };
    if (mark.detail) {
      out.writeSyscalls = writeSyscalls() - mark.writes;
      loopDelay.disable();
      out.maxLoopDelayMs = loopDelay.count > 0 ? loopDelay.max / 1e6 : 0;
      out.diagnostics = server.diagnostics?.();
    }
    return out;
  },

  async memory({ gcRounds }) {
    for (let i = 0; i < gcRounds; i++) {
      globalThis.gc();
      // Let finalizers and deferred cleanup run between collections.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return process.memoryUsage();
  },

  connections: () => server.connections(),
  roomSize: () => server.roomSize(),
  listenControl,
  publish: (params) => publish(server, params),

  async shutdown() {
    closeControl();
    if (server) await withTimeout(server.close(), 10_000, "server close").catch(() => {});
  },
});
