// Child process holding the receiving clients of a fan-out scenario (lib/fanoutClients.mjs), driven by the
// orchestrator over IPC. Per phase it counts the deliveries (and their bytes) of broadcasts numbered from the
// phase's first sequence number on, records publish-to-deliver latency (shared clock) and checks each client's
// order. With feedback on, it reports to the publisher's control port the lowest sequence number every one of its
// clients has reached (at most once per event-loop turn).
import net from "node:net";
import { HOST } from "./config.mjs";
import { openClient } from "./fanoutClients.mjs";
import { serveIpc, withTimeout } from "./ipc.mjs";
import { sharedNowMs } from "./machine.mjs";
import { SampleBuffer } from "./stats.mjs";

let clients = [];
let closing = false;
const anomalies = { dropped: 0, badFrames: 0, outOfOrder: 0, gaps: 0 };
let phase = null;
let control = null;
let reportScheduled = false;
let lastReported = -Infinity;

function lowestSeq() {
  let low = Infinity;
  for (const c of clients) if (c.lastSeq < low) low = c.lastSeq;
  return low;
}

function report() {
  reportScheduled = false;
  if (!control || control.destroyed) return;
  const low = lowestSeq();
  if (low > lastReported && Number.isFinite(low)) {
    lastReported = low;
    control.write(`${low}\n`);
  }
}

const hooks = {
  onTick(client, payload, bytes) {
    const now = sharedNowMs();
    const seq = payload?.seq;
    if (typeof seq !== "number") {
      anomalies.badFrames++;
      return;
    }
    if (seq <= client.lastSeq) anomalies.outOfOrder++;
    else if (client.lastSeq >= 0 && seq !== client.lastSeq + 1) anomalies.gaps += seq - client.lastSeq - 1;
    if (seq > client.lastSeq) client.lastSeq = seq;
    const p = phase;
    if (p === null || seq < p.seqFrom) return;
    p.delivered++;
    p.bytes += bytes;
    p.samples.push(now - payload.t);
    if (now > p.lastDeliverAt) p.lastDeliverAt = now;
    if (now < p.firstDeliverAt) p.firstDeliverAt = now;
    if (p.feedback && !reportScheduled) {
      reportScheduled = true;
      setImmediate(report);
    }
  },
  onDrop() {
    if (closing) return;
    anomalies.dropped++;
  },
  onBadFrame() {
    anomalies.badFrames++;
  },
};

async function closeClients(timeoutMs) {
  closing = true;
  control?.destroy();
  await withTimeout(Promise.all(clients.map((c) => c.close())), timeoutMs, "closing clients").catch(() => {});
}

serveIpc({
  /** Opens `count` clients of `kind` on `url`, `batchSize` at a time; each has joined when this resolves. */
  async open({ kind, url, target, countBytes, count, batchSize, batchTimeoutMs }) {
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

  /** Connects to the publisher's control port (full-rate feedback). */
  async connectControl({ port, timeoutMs }) {
    const connecting = new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port });
      socket.once("connect", () => {
        socket.setNoDelay(true);
        socket.on("error", () => {});
        resolve(socket);
      });
      socket.once("error", reject);
    });
    control = await withTimeout(connecting, timeoutMs, "control connection");
    return {};
  },

  /** Starts counting deliveries of broadcasts numbered `seqFrom` and up. */
  beginPhase({ seqFrom, feedback }) {
    phase = {
      seqFrom,
      feedback,
      delivered: 0,
      bytes: 0,
      samples: new SampleBuffer(),
      firstDeliverAt: Infinity,
      lastDeliverAt: -Infinity,
      cpuMark: process.cpuUsage(),
    };
    lastReported = -Infinity;
    return {};
  },

  /** Deliveries so far in the phase: cheap, for the orchestrator's drain polling. */
  progress() {
    return { delivered: phase?.delivered ?? 0 };
  },

  /** Ends the phase and returns its counts and latency samples. */
  endPhase() {
    const p = phase;
    if (!p) throw new Error("no phase");
    phase = null;
    const cpu = process.cpuUsage(p.cpuMark);
    return {
      delivered: p.delivered,
      bytes: p.bytes,
      firstDeliverAt: p.firstDeliverAt,
      lastDeliverAt: p.lastDeliverAt,
      latenciesMs: p.samples.values(),
      cpuUs: cpu.user + cpu.system,
      anomalies: { ...anomalies },
    };
  },

  shutdown: () => closeClients(5_000),
});
