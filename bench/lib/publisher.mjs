// The publisher of the fan-out scenarios, run by instance #1 of a system: at a fixed rate, broadcast n goes at
// start + n / rate; at full rate, one broadcast per event-loop turn with at most `window` not yet received by every
// client. For the latter the load processes report, over a loopback TCP control connection, the lowest seq all
// their clients reached, so no buffer (Redis output buffers, socket queues) grows without bound.
// Every payload carries its seq and its send time on the shared clock: `{ seq, t, data }`.
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

/** Opens the loopback TCP port the load processes report their progress to. */
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

function publishAtRate(t, { ratePerS, durationMs, maxBroadcasts, seqFrom, maxRedisInFlight }) {
  return new Promise((resolve) => {
    const start = sharedNowMs();
    const limit = Math.min(maxBroadcasts, Math.floor((durationMs / 1000) * ratePerS));
    let sent = 0;
    let missed = 0;
    let lastAt = start;
    const tick = () => {
      const due = Math.min(limit, Math.floor(((sharedNowMs() - start) / 1000) * ratePerS) + 1);
      for (; sent < due; sent++) {
        // Redis is not taking the publishes: skip rather than queue without bound.
        if (t.inFlight >= maxRedisInFlight) missed++;
        else {
          t.send(seqFrom + sent);
          lastAt = sharedNowMs();
        }
      }
      if (sent < limit) setTimeout(tick, Math.max(0, start + (sent / ratePerS) * 1000 - sharedNowMs()));
      else resolve({ published: sent - missed, missed, firstAt: start, lastAt, stalled: false });
    };
    tick();
  });
}

/** Resolves on the next progress report, or after `ms`. */
const nextProgress = (ms) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wakePublisher = () => {
      wakePublisher = () => {};
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
