// Child process hosting one server under test (a module from bench/servers/). It measures itself:
// CPU time between two markers, and memory after forced GC. Started with --expose-gc by the orchestrator.
import { startServerModule } from "./serverModule.mjs";
import { serveIpc, withTimeout } from "./ipc.mjs";

let server;
let cpuMark;
let wallMark;

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

serveIpc({
  /** Imports the server module and starts it with `options` (scenario-specific); returns the port it listens on. */
  async start({ module, host, port, options = {} }) {
    if (server) throw new Error("server already started");
    server = await startServerModule({ module, host, port, options });
    return { port: server.port, pid: process.pid };
  },

  cpuStart() {
    cpuMark = process.cpuUsage();
    wallMark = process.hrtime.bigint();
    return {};
  },

  /** CPU used by the whole process (every thread: JS, GC helpers, libuv) since cpuStart. */
  cpuStop() {
    if (!cpuMark) throw new Error("cpuStop before cpuStart");
    const { user, system } = process.cpuUsage(cpuMark);
    const wallMs = Number(process.hrtime.bigint() - wallMark) / 1e6;
    cpuMark = undefined;
    return { userUs: user, systemUs: system, wallMs };
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

  async shutdown() {
    if (server) await withTimeout(Promise.resolve(server.close()), 10_000, "server close").catch(() => {});
  },
});
