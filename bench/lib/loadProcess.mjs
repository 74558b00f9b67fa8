// Child process generating load: one ConnectionPool driven by the orchestrator over IPC.
import { serveIpc } from "./ipc.mjs";
import { ConnectionPool } from "./loadgen.mjs";

let pool;

function requirePool() {
  if (!pool) throw new Error("open first");
  return pool;
}

serveIpc({
  async open({ url, subprotocols, expectHello, count, batchSize, batchTimeoutMs }) {
    // A pool may be reopened after close() (idle-memory primes the server with a first batch).
    if (pool && pool.connections.length > 0) throw new Error("already open");
    pool = new ConnectionPool({ url, subprotocols, expectHello });
    return pool.open(count, { batchSize, batchTimeoutMs });
  },
  start(params) {
    return requirePool().start(params);
  },
  beginMeasure() {
    requirePool().beginMeasure();
    return {};
  },
  endMeasure() {
    return requirePool().endMeasure();
  },
  drain({ timeoutMs }) {
    return requirePool().drain(timeoutMs);
  },
  close({ timeoutMs }) {
    return requirePool().close(timeoutMs);
  },
  status() {
    return requirePool().status();
  },
  async shutdown() {
    if (pool) await pool.close(5_000);
  },
});
