// The load child: holds clients of one kind (lib/clients.mjs). For rpc, a closed request loop, each connection
// keeping a fixed number of requests in flight; for a fan-out phase, the deliveries of seq `seqFrom` and up, their
// bytes and latency on the shared clock, each client's order, and with feedback the lowest seq every client reached,
// written to the publisher's control port (at most once per event-loop turn).
import net from "node:net";
import { openClient } from "./clients.mjs";
import { HOST } from "./config.mjs";
import { serveIpc, withTimeout } from "./ipc.mjs";
import { sharedNowMs } from "./machine.mjs";
import { MAX_SAMPLES } from "./stats.mjs";

let clients = [];
/** Things that should not happen in a healthy run; reported with the results. */
const anomalies = { dropped: 0, badFrames: 0, unmatched: 0, serverErrors: 0, outOfOrder: 0, gaps: 0 };
/** What is being counted: the rpc window or the fan-out phase; null between them. */
let window = null;
const rpc = { running: false, sent: 0, maxRequests: 0, frameHead: "", frameTail: "", deadline: undefined };
let control = null;
let reportScheduled = false;
let lastReported = -Infinity;

function stopSending() {
  rpc.running = false;
  clearTimeout(rpc.deadline);
}

function sendRequest(client) {
  if (rpc.sent >= rpc.maxRequests) return stopSending();
  const id = client.nextId++;
  client.pending.set(id, process.hrtime.bigint());
  if (client.send(rpc.frameHead + id + rpc.frameTail)) rpc.sent++;
  else client.pending.delete(id);
}

function report() {
  reportScheduled = false;
  let low = Infinity;
  for (const c of clients) if (c.lastSeq < low) low = c.lastSeq;
  if (control.destroyed || !(low > lastReported)) return;
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
    if (w === null || seq < w.seqFrom) return;
    w.delivered++;
    w.bytes += bytes;
    if (w.samples.length < MAX_SAMPLES) w.samples.push(now - payload.t);
    if (now > w.lastAt) w.lastAt = now;
    if (w.feedback && !reportScheduled) {
      reportScheduled = true;
      setImmediate(report);
    }
  },
  onReply(client, id, isError) {
    const sentAt = client.pending.get(id);
    if (sentAt === undefined) return anomalies.unmatched++;
    client.pending.delete(id);
    if (isError) anomalies.serverErrors++;
    if (window && isError) window.errors++;
    else if (window) {
      window.delivered++;
      if (window.samples.length < MAX_SAMPLES) window.samples.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
    }
    if (rpc.running) sendRequest(client);
  },
  onDrop: () => anomalies.dropped++,
  onBadFrame: () => anomalies.badFrames++,
};

async function closeAll(timeoutMs) {
  stopSending();
  control?.destroy();
  await withTimeout(Promise.all(clients.map((c) => c.close())), timeoutMs, "closing clients").catch(() => {
    for (const c of clients) c.terminate();
  });
  clients = [];
  return {};
}

serveIpc({
  /** Opens `count` clients of `kind` on `url`, `batchSize` at a time, so the server's accept queue is never overrun. */
  async open({ kind, url, target, countBytes, count, batchSize, batchTimeoutMs }) {
    for (let first = 0; first < count; first += batchSize) {
      const n = Math.min(batchSize, count - first);
      const batch = Array.from({ length: n }, () => openClient(kind, url, target, hooks, countBytes));
      const what = `opening clients ${first}..${first + n - 1}`;
      const opened = await withTimeout(Promise.allSettled(batch), batchTimeoutMs, what);
      for (const r of opened) if (r.status === "fulfilled") clients.push(r.value);
      const failed = opened.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    }
    return { open: clients.length };
  },

  /** Starts the rpc closed loop; it stops by itself after `maxDurationMs` or `maxRequests`, whichever comes first. */
  startRequests({ inFlight: perClient, command, payload, maxRequests, maxDurationMs }) {
    Object.assign(rpc, { running: true, maxRequests, frameHead: '{"type":"request","id":' });
    rpc.frameTail = `,"command":${JSON.stringify(command)},"payload":${JSON.stringify(payload)}}`;
    rpc.deadline = setTimeout(stopSending, maxDurationMs).unref();
    for (const client of clients) for (let i = 0; i < perClient; i++) sendRequest(client);
    return {};
  },

  /** Starts counting round trips (rpc), or deliveries of broadcasts numbered `seqFrom` and up (fan-out). */
  begin({ seqFrom = 0, feedback = false }) {
    const start = { mark: process.cpuUsage(), wall: process.hrtime.bigint() };
    window = { seqFrom, feedback, delivered: 0, errors: 0, bytes: 0, samples: [], lastAt: -Infinity, ...start };
    lastReported = -Infinity;
    return {};
  },

  /** Deliveries so far in the phase: cheap, for the orchestrator's drain polling. */
  progress: () => ({ delivered: window?.delivered ?? 0 }),

  /** Ends the window: counts, latency samples and this process's CPU time over it. */
  end() {
    const w = window;
    window = null;
    const cpu = process.cpuUsage(w.mark);
    const elapsedMs = Number(process.hrtime.bigint() - w.wall) / 1e6;
    const { delivered, errors, bytes, lastAt, samples } = w;
    const counts = { delivered, errors, bytes, lastAt, latenciesMs: samples, anomalies: { ...anomalies } };
    return { ...counts, elapsedMs, cpuUs: cpu.user + cpu.system, stillRunning: rpc.running };
  },

  /** Connects to the publisher's control port (full-rate feedback). */
  async connectControl({ port, timeoutMs }) {
    const socket = net.connect({ host: HOST, port });
    const connected = new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    await withTimeout(connected, timeoutMs, "control connection");
    control = socket.setNoDelay(true).on("error", () => {});
    return {};
  },

  status: () => ({ open: clients.filter((c) => c.isOpen()).length, anomalies: { ...anomalies } }),
  close: ({ timeoutMs }) => closeAll(timeoutMs),
  shutdown: () => closeAll(5_000),
});
