// Child process generating load, driven by the orchestrator over IPC; it holds clients of one kind
// (lib/clients.mjs). For rpc: a closed request loop, each connection keeping a fixed number of requests in flight,
// latency timed with process.hrtime. For the fan-out scenarios: per phase, the deliveries (and their bytes) of
// broadcasts numbered from the phase's first sequence number on, publish-to-deliver latency on the shared clock,
// each client's order; with feedback on, the lowest sequence number every client has reached goes to the
// publisher's control port (at most once per event-loop turn).
import net from "node:net";
import { openClient } from "./clients.mjs";
import { HOST } from "./config.mjs";
import { serveIpc, withTimeout } from "./ipc.mjs";
import { sharedNowMs } from "./machine.mjs";
import { SampleBuffer } from "./stats.mjs";

let clients = [];
/** Things that should not happen in a healthy run; reported with the results. */
const anomalies = { dropped: 0, badFrames: 0, unmatched: 0, serverErrors: 0, outOfOrder: 0, gaps: 0 };
/** What is being counted: the rpc window or the fan-out phase; null between them. */
let window = null;
const rpc = { running: false, sent: 0, maxRequests: 0, frameHead: "", frameTail: "", deadline: undefined };
let control = null;
let reportScheduled = false;
let lastReported = -Infinity;

function freshWindow(extra) {
  return { ...extra, delivered: 0, errors: 0, bytes: 0, samples: new SampleBuffer(), firstAt: Infinity, lastAt: -Infinity, mark: process.cpuUsage(), wall: process.hrtime.bigint() };
}

function sendRequest(client) {
  if (rpc.sent >= rpc.maxRequests) {
    rpc.running = false;
    return;
  }
  const id = client.nextId++;
  client.pending.set(id, process.hrtime.bigint());
  if (client.send(rpc.frameHead + id + rpc.frameTail)) rpc.sent++;
  else client.pending.delete(id);
}

function stopSending() {
  rpc.running = false;
  clearTimeout(rpc.deadline);
}

function lowestSeq() {
  let low = Infinity;
  for (const c of clients) if (c.lastSeq < low) low = c.lastSeq;
  return low;
}

function report() {
  reportScheduled = false;
  const low = lowestSeq();
  if (!control || control.destroyed || !(low > lastReported) || !Number.isFinite(low)) return;
  lastReported = low;
  control.write(`${low}\n`);
}

const hooks = {
  onTick(client, payload, bytes) {
    const now = sharedNowMs();
    const seq = payload?.seq;
    if (typeof seq !== "number") return anomalies.badFrames++;
    if (seq <= client.lastSeq) anomalies.outOfOrder++;
    else if (client.lastSeq >= 0 && seq !== client.lastSeq + 1) anomalies.gaps += seq - client.lastSeq - 1;
    if (seq > client.lastSeq) client.lastSeq = seq;
    const w = window;
    if (w === null || seq < w.seqFrom) return undefined;
    w.delivered++;
    w.bytes += bytes;
    w.samples.push(now - payload.t);
    if (now > w.lastAt) w.lastAt = now;
    if (now < w.firstAt) w.firstAt = now;
    if (w.feedback && !reportScheduled) {
      reportScheduled = true;
      setImmediate(report);
    }
    return undefined;
  },
  onReply(client, id, isError) {
    const sentAt = client.pending.get(id);
    if (sentAt === undefined) return anomalies.unmatched++;
    client.pending.delete(id);
    if (isError) anomalies.serverErrors++;
    if (window && isError) window.errors++;
    else if (window) {
      window.delivered++;
      window.samples.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
    }
    if (rpc.running) sendRequest(client);
    return undefined;
  },
  onDrop: () => anomalies.dropped++,
  onBadFrame: () => anomalies.badFrames++,
};

const inFlight = () => clients.reduce((n, c) => n + (c.pending?.size ?? 0), 0);

/** Ends the current window: counts, latency samples and this process's CPU time over it. */
function endWindow() {
  const w = window;
  if (!w) throw new Error("no window or phase");
  window = null;
  const cpu = process.cpuUsage(w.mark);
  const { delivered, errors, bytes, firstAt, lastAt } = w;
  const elapsedMs = Number(process.hrtime.bigint() - w.wall) / 1e6;
  const timing = { elapsedMs, cpuUs: cpu.user + cpu.system, latenciesMs: w.samples.values(), anomalies: { ...anomalies } };
  return { delivered, errors, bytes, firstDeliverAt: firstAt, lastDeliverAt: lastAt, ...timing, stillRunning: rpc.running };
}

async function closeAll(timeoutMs) {
  stopSending();
  control?.destroy();
  await withTimeout(Promise.all(clients.map((c) => c.close())), timeoutMs, "closing clients").catch(() => {
    for (const c of clients) c.terminate();
  });
  const closed = clients.length;
  clients = [];
  return { closed };
}

serveIpc({
  /** Opens `count` clients of `kind` on `url`, `batchSize` at a time, so the server's accept queue is never overrun. */
  async open({ kind, url, target, countBytes, count, batchSize, batchTimeoutMs }) {
    // May be called again after close() (idle-memory primes the server with a first batch).
    if (clients.length > 0) throw new Error("already open");
    for (let first = 0; first < count; first += batchSize) {
      const n = Math.min(batchSize, count - first);
      const batch = Array.from({ length: n }, () => openClient(kind, url, target, hooks, { countBytes }));
      const opened = await withTimeout(Promise.allSettled(batch), batchTimeoutMs, `opening clients ${first}..${first + n - 1}`);
      for (const r of opened) if (r.status === "fulfilled") clients.push(r.value);
      const failed = opened.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    }
    return { open: clients.length };
  },

  /**
   * Starts the rpc closed loop: every connection keeps `inFlight` requests outstanding and sends a new one for each
   * reply; it stops by itself after `maxDurationMs` or `maxRequests`, whichever comes first.
   */
  startRequests({ inFlight: perClient, command, payload, maxRequests, maxDurationMs }) {
    if (rpc.running) throw new Error("load already running");
    Object.assign(rpc, { running: true, maxRequests, frameHead: '{"type":"request","id":' });
    rpc.frameTail = `,"command":${JSON.stringify(command)},"payload":${JSON.stringify(payload)}}`;
    rpc.deadline = setTimeout(stopSending, maxDurationMs).unref();
    for (const client of clients) for (let i = 0; i < perClient; i++) sendRequest(client);
    return {};
  },

  /** Starts counting round trips (rpc), or deliveries of broadcasts numbered `seqFrom` and up (fan-out). */
  begin({ seqFrom = 0, feedback = false } = {}) {
    window = freshWindow({ seqFrom, feedback });
    lastReported = -Infinity;
    return {};
  },

  /** Deliveries so far in the phase: cheap, for the orchestrator's drain polling. */
  progress: () => ({ delivered: window?.delivered ?? 0 }),

  end: endWindow,

  /** Stops sending requests and waits (bounded) for those still in flight. */
  async drain({ timeoutMs }) {
    stopSending();
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && inFlight() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    return { leftInFlight: inFlight() };
  },

  /** Connects to the publisher's control port (full-rate feedback). */
  async connectControl({ port, timeoutMs }) {
    const connecting = new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port });
      socket.once("connect", () => resolve(socket.setNoDelay(true).on("error", () => {})));
      socket.once("error", reject);
    });
    control = await withTimeout(connecting, timeoutMs, "control connection");
    return {};
  },

  status: () => ({ open: clients.filter((c) => c.isOpen()).length, anomalies: { ...anomalies } }),
  close: ({ timeoutMs }) => closeAll(timeoutMs),
  shutdown: () => closeAll(5_000),
});
