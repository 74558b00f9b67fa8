// The publisher of the fan-out scenarios, run by instance #1 of a system, sending `{ seq, t (shared clock), data }`.
// At full rate the load processes report over a loopback TCP connection the lowest seq all their clients reached,
// so the publisher never runs more than `window` ahead and no buffer (Redis, socket queues) grows without bound.
import net from "node:net";
import { sharedNowMs } from "./machine.mjs";

// The lowest seq every client of each load process reached, by control socket.
const reported = new Map();
let controlServer;
let wakePublisher = () => {};

function onControlConnection(socket) {
  socket.setNoDelay(true).setEncoding("latin1");
  reported.set(socket, -1);
  let pending = "";
  socket.on("data", (text) => {
    pending += text;
    const end = pending.lastIndexOf("\n");
    if (end < 0) return;
    // Only the latest report of a chunk matters.
    const lines = pending.slice(0, end);
    const seq = Number(lines.slice(lines.lastIndexOf("\n") + 1));
    pending = pending.slice(end + 1);
    if (Number.isFinite(seq)) reported.set(socket, seq);
    wakePublisher();
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    reported.delete(socket);
    wakePublisher();
  });
}

export async function listenControl({ host }) {
  controlServer = net.createServer(onControlConnection);
  await new Promise((resolve, reject) => controlServer.once("error", reject).listen(0, host, resolve));
  return { port: controlServer.address().port };
}

export function closeControl() {
  controlServer?.close();
  for (const socket of reported.keys()) socket.destroy();
}

/** Sends broadcasts, counting those whose promise (Redis took the PUBLISH) is pending, and the failures. */
function tracker(server, data) {
  const t = { inFlight: 0, errors: 0, firstError: undefined };
  const fail = (err) => {
    t.errors++;
    t.firstError ??= err?.message ?? String(err);
  };
  // Made once: a broadcast allocates no callbacks of the harness on the measured instance.
  const onDone = () => t.inFlight--;
  const onError = (err) => {
    t.inFlight--;
    fail(err);
  };
  t.send = (seq) => {
    try {
      const result = server.broadcast({ seq, t: sharedNowMs(), data });
      if (result) {
        t.inFlight++;
        result.then(onDone, onError);
      }
    } catch (err) {
      fail(err);
    }
  };
  return t;
}

/** Broadcast n at start + n / rate; skipped rather than queued without bound when Redis is not taking them. */
async function publishAtRate(t, { ratePerS, durationMs, maxBroadcasts, seqFrom, maxRedisInFlight }) {
  const start = sharedNowMs();
  const limit = Math.min(maxBroadcasts, Math.floor((durationMs / 1000) * ratePerS));
  let missed = 0;
  let lastAt = start;
  for (let n = 0; n < limit; n++) {
    const wait = start + (n / ratePerS) * 1000 - sharedNowMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (t.inFlight >= maxRedisInFlight) missed++;
    else {
      t.send(seqFrom + n);
      lastAt = sharedNowMs();
    }
  }
  return { published: limit - missed, missed, firstAt: start, lastAt, stalled: false };
}

/** Resolves on the next progress report, or after `ms`. */
const nextProgress = (ms) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    // A later wake (no phase waiting) resolves a settled promise: harmless.
    wakePublisher = () => {
      clearTimeout(timer);
      resolve();
    };
  });

/**
 * Keeps at most `window` broadcasts ahead of the slowest client, for `durationMs` or `maxBroadcasts`. Stops early,
 * marked stalled, when no client progress arrives for `stallMs` (a lost message holds the low-water mark back).
 */
async function publishFull(t, { durationMs, maxBroadcasts, seqFrom, window, feedbackFrom, stallMs }) {
  for (const socket of reported.keys()) reported.set(socket, seqFrom - 1);
  if (reported.size < feedbackFrom) {
    throw new Error(`full rate needs feedback from ${feedbackFrom} load processes, ${reported.size} connected`);
  }
  const start = sharedNowMs();
  let next = seqFrom;
  let lastAt = start;
  let lastProgressAt = start;
  let low = seqFrom - 1;
  let stalled = false;
  while (next - seqFrom < maxBroadcasts) {
    const now = sharedNowMs();
    if (now >= start + durationMs) break;
    const current = Math.min(...reported.values());
    if (current > low) {
      low = current;
      lastProgressAt = now;
    }
    if (next - 1 - low < window) {
      // One broadcast per event-loop turn, as broadcasts triggered by incoming events would go, so I/O (Redis
      // replies, the other instance's traffic, feedback) runs between them.
      t.send(next++);
      lastAt = sharedNowMs();
      await new Promise((resolve) => setImmediate(resolve));
    } else if (now - lastProgressAt > stallMs) {
      stalled = true;
      break;
    } else {
      await nextProgress(Math.min(100, stallMs));
    }
  }
  return { published: next - seqFrom, missed: 0, firstAt: start, lastAt, stalled };
}

/** One publishing phase at `params.mode` ("rate" or "full"); resolves with what was published. */
export async function publish(server, params) {
  const t = tracker(server, "x".repeat(params.paddingBytes));
  const result = params.mode === "full" ? await publishFull(t, params) : await publishAtRate(t, params);
  return { ...result, errors: t.errors, firstError: t.firstError };
}
