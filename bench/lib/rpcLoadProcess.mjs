// Child process generating the load of the rpc and idle-memory scenarios, driven by the orchestrator over IPC: a
// pool of `ws` connections speaking the meshwork wire protocol (packages/protocol/src), a closed request loop
// with a fixed number in flight per connection, and latency samples timed with process.hrtime. Connections
// answer `ping` and `latency-probe` like a real client, so servers run their default liveness timers.
import WebSocket from "ws";
import { serveIpc, withTimeout } from "./ipc.mjs";
import { SampleBuffer } from "./stats.mjs";

const PONG = '{"type":"pong"}';

let connections = [];
let closing = false;
let running = false;
let measuring = false;
let totalSent = 0;
let maxRequests = 0;
let frameHead = "";
let frameTail = "";
let deadline;
let samples = new SampleBuffer();
let counters = { completed: 0, errors: 0 };
let measureMark;
/** Things that should not happen in a healthy run; reported with the results. */
const anomalies = { dropped: 0, unmatched: 0, badFrames: 0, serverErrors: 0 };

/** Opens one connection; it counts as open on `open`, or once the server's `hello` arrived when `expectHello`. */
function openOne(url, subprotocols, expectHello) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, subprotocols, { perMessageDeflate: false, handshakeTimeout: 15_000 });
    const conn = { ws, nextId: 1, pending: new Map() };
    let settled = false;
    const ready = () => {
      if (settled) return;
      settled = true;
      connections.push(conn);
      resolve();
    };
    ws.on("open", () => {
      if (!expectHello) ready();
    });
    ws.on("message", (data) => onMessage(conn, data, ready));
    ws.on("error", (err) => {
      if (settled) return;
      settled = true;
      reject(new Error(`connect ${url}: ${err.message}`));
    });
    ws.on("close", (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`connect ${url}: closed with ${code} before it was ready`));
      } else if (!closing) {
        anomalies.dropped++;
      }
    });
  });
}

function onMessage(conn, data, ready) {
  let msg;
  try {
    msg = JSON.parse(data);
  } catch {
    anomalies.badFrames++;
    return;
  }
  switch (msg?.type) {
    case "response":
    case "request": // the raw echo server sends the request itself back
      onReply(conn, msg.id, false);
      break;
    case "error":
      onReply(conn, msg.id, true);
      break;
    case "ping":
      conn.ws.send(PONG);
      break;
    case "latency-probe":
      conn.ws.send(`{"type":"latency-reply","id":${msg.id}}`);
      break;
    case "hello":
      ready();
      break;
    default:
      break;
  }
}

function onReply(conn, id, isError) {
  const sentAt = conn.pending.get(id);
  if (sentAt === undefined) {
    anomalies.unmatched++;
    return;
  }
  conn.pending.delete(id);
  if (isError) anomalies.serverErrors++;
  if (measuring) {
    if (isError) counters.errors++;
    else {
      counters.completed++;
      samples.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
    }
  }
  if (running) send(conn);
}

function send(conn) {
  if (totalSent >= maxRequests) {
    running = false;
    return;
  }
  if (conn.ws.readyState !== WebSocket.OPEN) return;
  const id = conn.nextId++;
  conn.pending.set(id, process.hrtime.bigint());
  totalSent++;
  conn.ws.send(frameHead + id + frameTail);
}

function stopSending() {
  running = false;
  clearTimeout(deadline);
}

function inFlight() {
  let n = 0;
  for (const conn of connections) n += conn.pending.size;
  return n;
}

serveIpc({
  /** Opens `count` connections, `batchSize` at a time, so the server's accept queue is never overrun. */
  async open({ url, subprotocols, expectHello, count, batchSize, batchTimeoutMs }) {
    // The pool may be reopened after close() (idle-memory primes the server with a first batch).
    if (connections.length > 0) throw new Error("already open");
    closing = false;
    for (let first = 0; first < count; first += batchSize) {
      const n = Math.min(batchSize, count - first);
      const batch = Array.from({ length: n }, () => openOne(url, subprotocols, expectHello));
      await withTimeout(Promise.all(batch), batchTimeoutMs, `opening connections ${first}..${first + n - 1}`);
    }
    return { open: connections.length };
  },

  /**
   * Starts the closed loop: every connection keeps `inFlight` requests outstanding and sends a new one for each
   * reply; it stops by itself after `maxDurationMs` or `maxRequests`, whichever comes first.
   */
  start({ inFlight: perConnection, command, payload, maxRequests: cap, maxDurationMs }) {
    if (running) throw new Error("load already running");
    frameHead = '{"type":"request","id":';
    frameTail = `,"command":${JSON.stringify(command)},"payload":${JSON.stringify(payload)}}`;
    maxRequests = cap;
    running = true;
    deadline = setTimeout(stopSending, maxDurationMs);
    deadline.unref();
    for (const conn of connections) for (let i = 0; i < perConnection; i++) send(conn);
    return { connections: connections.length };
  },

  beginMeasure() {
    counters = { completed: 0, errors: 0 };
    samples = new SampleBuffer();
    measureMark = { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
    measuring = true;
    return {};
  },

  endMeasure() {
    measuring = false;
    const cpu = process.cpuUsage(measureMark.cpu);
    return {
      ...counters,
      elapsedMs: Number(process.hrtime.bigint() - measureMark.wall) / 1e6,
      cpuUs: cpu.user + cpu.system,
      latenciesMs: samples.values(),
      anomalies: { ...anomalies },
      stillRunning: running,
    };
  },

  /** Stops sending and waits (bounded) for the requests still in flight. */
  async drain({ timeoutMs }) {
    stopSending();
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && inFlight() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    return { leftInFlight: inFlight() };
  },

  /** Closes every connection and waits (bounded) for the close handshakes. */
  async close({ timeoutMs }) {
    closing = true;
    stopSending();
    const closed = connections.map(
      (conn) =>
        new Promise((resolve) => {
          if (conn.ws.readyState === WebSocket.CLOSED) return resolve();
          conn.ws.once("close", resolve);
          conn.ws.close(1000);
        }),
    );
    await withTimeout(Promise.all(closed), timeoutMs, "closing connections").catch(() => {
      for (const conn of connections) conn.ws.terminate();
    });
    const count = connections.length;
    connections = [];
    return { closed: count };
  },

  status() {
    const open = connections.filter((conn) => conn.ws.readyState === WebSocket.OPEN).length;
    return { open, inFlight: inFlight(), anomalies: { ...anomalies } };
  },

  async shutdown() {
    closing = true;
    stopSending();
    for (const conn of connections) conn.ws.terminate();
  },
});
