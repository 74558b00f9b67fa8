// Child process hosting one instance of a clustered server under test (a module from bench/servers/ with a
// `broadcast(payload)` method, see servers/index.mjs CLUSTER_SYSTEMS). Besides the usual start / CPU markers
// it can act as the publisher of the cluster-broadcast scenario:
//   - `publish({ mode: "rate" })` broadcasts to the room at a fixed rate for a fixed time;
//   - `publish({ mode: "full" })` broadcasts as fast as the whole path allows, with at most `window`
//     broadcasts not yet received by every client. The load processes report, over a loopback TCP control
//     connection (`listenControl`), the lowest sequence number all their clients have reached, so the
//     publisher never runs ahead of the slowest client and no buffer (Redis output buffers, socket queues)
//     grows without bound.
// Every payload carries its sequence number and the publisher's shared-clock timestamp (lib/sharedClock.mjs).
import { startServerModule } from "./serverModule.mjs";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";
import net from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { serveIpc, withTimeout } from "./ipc.mjs";
import { sharedNowMs } from "./sharedClock.mjs";

let server;
let cpuMark;
let wallMark;
// Event-loop delay over a measured phase: a stalled loop delays heartbeats and deliveries alike.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let ioMark;

// BENCH_CB_PROFILE_DIR: a V8 CPU profile of every measured phase only (cpuStart → cpuStop), one file each.
const profileDir = process.env.BENCH_CB_PROFILE_DIR;
let profiler;

function inspectorCall(method, params = {}) {
  return new Promise((resolve, reject) => profiler.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

async function startProfile() {
  if (!profileDir) return;
  if (!profiler) {
    profiler = new Session();
    profiler.connect();
    await inspectorCall("Profiler.enable");
    await inspectorCall("Profiler.setSamplingInterval", { interval: 200 });
  }
  await inspectorCall("Profiler.start");
}

async function stopProfile(label) {
  if (!profileDir || !profiler) return;
  const { profile } = await inspectorCall("Profiler.stop");
  mkdirSync(profileDir, { recursive: true });
  const safe = String(label ?? "phase").replace(/[^A-Za-z0-9_.-]/g, "_");
  writeFileSync(path.join(profileDir, `${safe}.pid${process.pid}.cpuprofile`), JSON.stringify(profile));
}

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

// Feedback from the load processes: the lowest seq every client of each reached.
const reported = new Map(); // socket -> seq
let controlServer;
let progressWaiter = null;

function lowestReported() {
  let low = Infinity;
  for (const seq of reported.values()) if (seq < low) low = seq;
  return low;
}

function wakePublisher() {
  const w = progressWaiter;
  progressWaiter = null;
  w?.();
}

/** Resolves on the next feedback line, or after `ms`. */
function nextProgress(ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      progressWaiter = null;
      resolve();
    }, ms);
    progressWaiter = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

function onControlConnection(socket) {
  socket.setNoDelay(true);
  reported.set(socket, -1);
  let pending = "";
  socket.setEncoding("latin1");
  socket.on("data", (text) => {
    pending += text;
    const end = pending.lastIndexOf("\n");
    if (end < 0) return;
    // Only the latest report of a chunk matters.
    const lines = pending.slice(0, end);
    pending = pending.slice(end + 1);
    const last = lines.slice(lines.lastIndexOf("\n") + 1);
    const seq = Number(last);
    if (Number.isFinite(seq)) {
      reported.set(socket, seq);
      wakePublisher();
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    reported.delete(socket);
    wakePublisher();
  });
}

const yieldToIo = () => new Promise((resolve) => setImmediate(resolve));

function makePayload(seq, padding) {
  return { seq, t: sharedNowMs(), data: padding };
}

/**
 * Tracks the promises `broadcast` returns (meshwork and the relay resolve once Redis took the PUBLISH;
 * Socket.IO's adapter publishes without returning anything, so its module hands back the PUBLISH it issued).
 */
function tracker() {
  const t = { inFlight: 0, errors: 0, firstError: undefined };
  t.onDone = () => {
    t.inFlight--;
  };
  t.onError = (err) => {
    t.inFlight--;
    t.errors++;
    t.firstError ??= err?.message ?? String(err);
  };
  t.send = (payload) => {
    let result;
    try {
      result = server.broadcast(payload);
    } catch (err) {
      t.errors++;
      t.firstError ??= err?.message ?? String(err);
      return;
    }
    if (result && typeof result.then === "function") {
      t.inFlight++;
      result.then(t.onDone, t.onError);
    }
  };
  return t;
}

/** Fixed rate: broadcast n is sent at start + n / rate; a timer wakes up when the next one is due. */
function publishAtRate({ ratePerS, durationMs, maxBroadcasts, seqFrom, padding, maxRedisInFlight }) {
  return new Promise((resolve) => {
    const t = tracker();
    const start = sharedNowMs();
    const limit = Math.min(maxBroadcasts, Math.floor((durationMs / 1000) * ratePerS));
    let sent = 0;
    let missed = 0;
    let lastAt = start;
    const tick = () => {
      const now = sharedNowMs();
      const due = Math.min(limit, Math.floor(((now - start) / 1000) * ratePerS) + 1);
      while (sent < due) {
        if (t.inFlight >= maxRedisInFlight) {
          // Redis is not taking the publishes: skip rather than queue without bound.
          missed++;
          sent++;
          continue;
        }
        t.send(makePayload(seqFrom + sent, padding));
        sent++;
        lastAt = sharedNowMs();
      }
      if (sent >= limit) {
        resolve({ published: sent - missed, missed, firstAt: start, lastAt, errors: t.errors, firstError: t.firstError, stalled: false });
        return;
      }
      const nextDue = start + (sent / ratePerS) * 1000;
      setTimeout(tick, Math.max(0, nextDue - sharedNowMs()));
    };
    tick();
  });
}

/**
 * Full rate: keeps at most `window` broadcasts ahead of the slowest client (end to end), one broadcast per
 * event-loop turn, for `durationMs` or
 * `maxBroadcasts`. Stops early, marked stalled, when no client progress arrives for `stallMs` (a lost message
 * holds the low-water mark back).
 */
async function publishFull({ durationMs, maxBroadcasts, seqFrom, padding, window, feedbackFrom, stallMs }) {
  const t = tracker();
  for (const socket of reported.keys()) reported.set(socket, seqFrom - 1);
  if (reported.size < feedbackFrom) {
    throw new Error(`full rate needs feedback from ${feedbackFrom} load process(es), ${reported.size} connected`);
  }
  const start = sharedNowMs();
  const deadline = start + durationMs;
  let next = seqFrom;
  let lastAt = start;
  let lastProgressAt = start;
  let low = seqFrom - 1;
  let stalled = false;
  let waits = 0;
  let waitedMs = 0;
  while (next - seqFrom < maxBroadcasts) {
    const now = sharedNowMs();
    if (now >= deadline) break;
    const current = lowestReported();
    if (current > low) {
      low = current;
      lastProgressAt = now;
    }
    if (next - 1 - low < window) {
      // Room in the window: one broadcast per event-loop turn, as broadcasts triggered by incoming events
      // would go, so I/O (Redis replies, the other instance's traffic, feedback) runs between them.
      t.send(makePayload(next++, padding));
      lastAt = sharedNowMs();
      await yieldToIo();
      continue;
    }
    if (now - lastProgressAt > stallMs) {
      stalled = true;
      break;
    }
    const waitFrom = sharedNowMs();
    await nextProgress(Math.min(100, stallMs));
    waits++;
    waitedMs += sharedNowMs() - waitFrom;
  }
  return { published: next - seqFrom, missed: 0, firstAt: start, lastAt, errors: t.errors, firstError: t.firstError, stalled, waits, waitedMs };
}

serveIpc({
  async start({ module, host, port, options = {} }) {
    if (server) throw new Error("server already started");
    server = await startServerModule({ module, host, port, options });
    if (typeof server.broadcast !== "function") throw new Error(`${module}: startServer() returned no broadcast()`);
    return { port: server.port, pid: process.pid };
  },

  /** Opens the loopback TCP port the load processes report their progress to. */
  async listenControl({ host }) {
    if (controlServer) return { port: controlServer.address().port };
    controlServer = net.createServer(onControlConnection);
    await new Promise((resolve, reject) => {
      controlServer.once("error", reject);
      controlServer.listen(0, host, resolve);
    });
    return { port: controlServer.address().port };
  },

  /** Number of load processes connected to the control port. */
  controlPeers() {
    return reported.size;
  },

  async publish(params) {
    if (!server) throw new Error("start first");
    const padding = "x".repeat(params.paddingBytes ?? 0);
    const common = { ...params, padding };
    return params.mode === "full" ? publishFull(common) : publishAtRate(common);
  },

  async cpuStart() {
    await startProfile();
    loopDelay.reset();
    loopDelay.enable();
    ioMark = syscalls();
    cpuMark = process.cpuUsage();
    wallMark = process.hrtime.bigint();
    return {};
  },

  /** CPU used by the whole process (every thread) since cpuStart. */
  async cpuStop({ label } = {}) {
    if (!cpuMark) throw new Error("cpuStop before cpuStart");
    const { user, system } = process.cpuUsage(cpuMark);
    const io = syscalls();
    await stopProfile(label);
    const wallMs = Number(process.hrtime.bigint() - wallMark) / 1e6;
    cpuMark = undefined;
    loopDelay.disable();
    const maxLoopDelayMs = loopDelay.count > 0 ? loopDelay.max / 1e6 : 0;
    return {
      userUs: user,
      systemUs: system,
      wallMs,
      maxLoopDelayMs,
      readSyscalls: io.reads - ioMark.reads,
      writeSyscalls: io.writes - ioMark.writes,
      diagnostics: server?.diagnostics?.(),
    };
  },

  connections() {
    return server?.connections?.();
  },

  async roomSize() {
    return server?.roomSize ? await server.roomSize() : undefined;
  },

  async shutdown() {
    controlServer?.close();
    for (const socket of reported.keys()) socket.destroy();
    if (server) await withTimeout(Promise.resolve(server.close()), 10_000, "server close").catch(() => {});
  },
});
