// Child process holding the receiving clients of the cluster-broadcast, channel-fanout and record-updates
// scenarios (lib/broadcastClients.mjs, lib/fanoutClients.mjs),
// driven by the orchestrator over IPC. Per phase it counts the deliveries of broadcasts numbered from the
// phase's first sequence number on, records publish-to-deliver latency (shared clock, lib/sharedClock.mjs)
// and checks each client's order. With feedback on, it reports to the publisher's control port the lowest
// sequence number every one of its clients has reached (at most once per event-loop turn).
import net from "node:net";
import { openClient } from "./broadcastClients.mjs";
import { openFanoutClient } from "./fanoutClients.mjs";

// Which clients an `open` call makes: the room-broadcast ones, or the channel/record ones that also report the
// byte size of every delivered frame (channel-fanout and record-updates scenarios).
const OPENERS = { broadcast: openClient, fanout: openFanoutClient };
import { HOST } from "./config.mjs";
import { serveIpc, withTimeout } from "./ipc.mjs";
import { sharedNowMs } from "./sharedClock.mjs";
import { SampleBuffer } from "./stats.mjs";

let clients = [];
let closing = false;
const anomalies = { dropped: 0, badFrames: 0, outOfOrder: 0, gaps: 0, firstDrop: undefined };

let phase = null;
let control = null;
let reportScheduled = false;
let lastReported = -Infinity;

function freshPhase(seqFrom, feedback) {
  return {
    seqFrom,
    feedback,
    delivered: 0,
    bytes: 0,
    samples: new SampleBuffer(),
    firstDeliverAt: Infinity,
    lastDeliverAt: -Infinity,
    cpuMark: process.cpuUsage(),
  };
}

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
  onTick(client, payload, bytes = 0) {
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
  onDrop(_client, why) {
    if (closing) return;
    anomalies.dropped++;
    anomalies.firstDrop ??= why;
  },
  onBadFrame() {
    anomalies.badFrames++;
  },
};

serveIpc({
  /** Opens `count` clients of `kind` on `url`, `batchSize` at a time; each has joined the room when this resolves. */
  async open({ kind, url, command, count, batchSize, batchTimeoutMs, clients: family = "broadcast" }) {
    if (clients.length > 0) throw new Error("already open");
    const open = OPENERS[family];
    if (!open) throw new Error(`unknown client family "${family}"`);
    for (let first = 0; first < count; first += batchSize) {
      const n = Math.min(batchSize, count - first);
      const batch = [];
      for (let i = 0; i < n; i++) batch.push(open(kind, url, command, hooks));
      const opened = await withTimeout(Promise.allSettled(batch), batchTimeoutMs, `opening clients ${first}..${first + n - 1}`);
      for (const r of opened) if (r.status === "fulfilled") clients.push(r.value);
      const failed = opened.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    }
    return { open: clients.length };
  },

  /** Connects to the publisher's control port (full-rate feedback). */
  async connectControl({ port, timeoutMs }) {
    if (control && !control.destroyed) return {};
    control = await withTimeout(
      new Promise((resolve, reject) => {
        const socket = net.connect({ host: HOST, port });
        socket.once("connect", () => {
          socket.setNoDelay(true);
          socket.on("error", () => {});
          resolve(socket);
        });
        socket.once("error", reject);
      }),
      timeoutMs,
      "control connection",
    );
    return {};
  },

  /** Starts counting deliveries of broadcasts numbered `seqFrom` and up. */
  beginPhase({ seqFrom, feedback }) {
    phase = freshPhase(seqFrom, feedback);
    lastReported = -Infinity;
    return {};
  },

  /** Deliveries so far in the phase: cheap, for the orchestrator's drain polling. */
  progress() {
    return { delivered: phase?.delivered ?? 0, low: lowestSeq() };
  },

  /** Ends the phase and returns its counts and latency samples. */
  endPhase() {
    const p = phase;
    if (!p) throw new Error("no phase");
    phase = null;
    const cpu = process.cpuUsage(p.cpuMark);
    return {
      clients: clients.length,
      delivered: p.delivered,
      bytes: p.bytes,
      firstDeliverAt: p.firstDeliverAt,
      lastDeliverAt: p.lastDeliverAt,
      latenciesMs: p.samples.values(),
      droppedSamples: p.samples.dropped,
      cpuUs: cpu.user + cpu.system,
      anomalies: { ...anomalies },
    };
  },

  status() {
    return { open: clients.length, anomalies: { ...anomalies } };
  },

  async close({ timeoutMs }) {
    closing = true;
    control?.destroy();
    await withTimeout(Promise.all(clients.map((c) => c.close())), timeoutMs, "closing clients").catch(() => {});
    const n = clients.length;
    clients = [];
    return { closed: n };
  },

  async shutdown() {
    closing = true;
    control?.destroy();
    await withTimeout(Promise.all(clients.map((c) => c.close())), 5_000, "closing clients").catch(() => {});
  },
});
