// The load child of the redis-shards scenario. It holds the clients of its streams: a room (members on both
// instances, one of them the publisher) or a record (a writer on one instance, subscribers on the other). Each
// stream keeps a fixed number of messages in flight by passing a token across the instances: when the stream's
// trigger client, on the instance the source is not on, receives message n, the source sends the next one. So every
// message crosses Redis from one instance to the other before the next leaves, nothing queues without bound, and
// the rate is what the machine sustains. Deliveries are counted at every receiving client.
import { openClient } from "./clients.mjs";
import { serveIpc, withTimeout } from "./ipc.mjs";
import { sharedNowMs } from "./machine.mjs";
import { MAX_SAMPLES } from "./stats.mjs";

const ROOM_JOIN = "mesh/join-room";
const RECORD_SUBSCRIBE = "mesh/subscribe-record";
const RECORD_WRITE = "mesh/publish-record-update";

/** A request whose answer only counts (the hot path): no promise, no closure per request. */
const COUNTED = Symbol("counted");

let streams = [];
let clients = [];
/** Which streams run: "room" or "record"; null when none does. */
let running = null;
let padding = "";
/** The measured window, or null outside it. */
let window = null;
const anomalies = { dropped: 0, badFrames: 0, unmatched: 0, serverErrors: 0, outOfOrder: 0, gaps: 0 };
const firstErrors = [];

/** Sends the next message of `stream` from its source: a `say` (room) or a record write. */
function sendNext(stream) {
  const source = stream.source;
  const seq = ++stream.seq;
  const t = sharedNowMs();
  const id = source.nextId++;
  const payload =
    stream.kind === "room"
      ? { room: stream.name, seq, t }
      : { recordId: stream.name, value: { seq, t, body: padding } };
  const command = stream.kind === "room" ? "say" : RECORD_WRITE;
  if (!source.send(JSON.stringify({ type: "request", id, command, payload }))) return anomalies.dropped++;
  source.pending.set(id, COUNTED);
  stream.inFlight++;
  if (window) window.sent++;
}

const hooks = {
  onTick(client, tick) {
    const now = sharedNowMs();
    const { seq, t } = tick ?? {};
    if (typeof seq !== "number" || typeof t !== "number") return anomalies.badFrames++;
    if (seq <= client.lastSeq) anomalies.outOfOrder++;
    else if (client.lastSeq >= 0 && seq !== client.lastSeq + 1) anomalies.gaps += seq - client.lastSeq - 1;
    if (seq > client.lastSeq) client.lastSeq = seq;
    const w = window;
    if (w) {
      w.delivered++;
      if (w.samples.length < MAX_SAMPLES) w.samples.push(now - t);
    }
    const stream = client.triggerOf;
    if (stream) {
      stream.lastTriggerAt = now;
      if (running === stream.kind) sendNext(stream);
    }
  },
  onReply(client, id, isError, msg) {
    const pending = client.pending.get(id);
    if (pending === undefined) return anomalies.unmatched++;
    client.pending.delete(id);
    if (pending !== COUNTED) return pending(isError, msg);
    client.sourceOf.inFlight--;
    if (isError) {
      anomalies.serverErrors++;
      if (firstErrors.length < 3) firstErrors.push(JSON.stringify(msg.error ?? msg).slice(0, 300));
    } else if (window) window.answered++;
  },
  onDrop: () => anomalies.dropped++,
  onBadFrame: () => anomalies.badFrames++,
};

/** Sends `command` from `client` and resolves with its result; rejects on an error answer. */
function request(client, command, payload) {
  return new Promise((resolve, reject) => {
    const id = client.nextId++;
    client.pending.set(id, (isError, msg) =>
      isError ? reject(new Error(`${command}: ${JSON.stringify(msg.error ?? msg)}`)) : resolve(msg.result),
    );
    if (!client.send(JSON.stringify({ type: "request", id, command, payload }))) {
      client.pending.delete(id);
      reject(new Error(`${command}: the connection is closed`));
    }
  });
}

/** Runs `work(item)` for every item, at most `batchSize` at a time, each batch within `timeoutMs`. */
async function inBatches(items, batchSize, timeoutMs, what, work) {
  const results = [];
  for (let first = 0; first < items.length; first += batchSize) {
    const batch = items.slice(first, first + batchSize).map(work);
    results.push(...(await withTimeout(Promise.all(batch), timeoutMs, `${what} ${first}..`)));
  }
  return results;
}

/** Opens one client per entry of `plan` (`{ url, stream, role }`), `batchSize` at a time. */
async function openPlanned(plan, batchSize, timeoutMs) {
  const opened = await inBatches(plan, batchSize, timeoutMs, "opening clients", (p) =>
    openClient("mw-member", p.url, "tick", hooks),
  );
  return opened.map((client, i) => Object.assign(client, plan[i]));
}

/**
 * Opens this process's streams. `home` is the instance (0 or 1) its sources connect to; their triggers and the
 * other receivers connect to the other one. Rooms: `roomMembers` clients per instance, the first on `home` the
 * publisher, the first on the other instance the trigger. Records: a writer on `home` (which writes the record's
 * first value before anyone subscribes), `recordSubscribers` on the other instance, the first the trigger.
 */
async function setup({
  urls,
  home,
  rooms,
  roomMembers,
  records,
  recordSubscribers,
  paddingBytes,
  batchSize,
  timeoutMs,
}) {
  padding = "x".repeat(paddingBytes);
  const away = 1 - home;
  const plan = [];
  for (const name of rooms) {
    const stream = { kind: "room", name, seq: 0, inFlight: 0, lastTriggerAt: -Infinity };
    streams.push(stream);
    for (const side of [home, away]) {
      for (let i = 0; i < roomMembers; i++) {
        const role = i > 0 ? "member" : side === home ? "source" : "trigger";
        plan.push({ url: urls[side], stream, role });
      }
    }
  }
  for (const name of records) {
    const stream = { kind: "record", name, seq: 0, inFlight: 0, lastTriggerAt: -Infinity };
    streams.push(stream);
    plan.push({ url: urls[home], stream, role: "source" });
    for (let i = 0; i < recordSubscribers; i++) plan.push({ url: urls[away], stream, role: i ? "member" : "trigger" });
  }
  const opened = await openPlanned(plan, batchSize, timeoutMs);
  clients.push(...opened);
  for (const c of opened) {
    if (c.role === "source") {
      c.stream.source = c;
      c.sourceOf = c.stream;
    }
    if (c.role === "trigger") c.triggerOf = c.stream;
  }
  const roomClients = opened.filter((c) => c.stream.kind === "room");
  await inBatches(roomClients, batchSize, timeoutMs, "joining rooms", async (c) => {
    const result = await request(c, ROOM_JOIN, { roomName: c.stream.name });
    if (result?.success !== true) throw new Error(`${ROOM_JOIN} ${c.stream.name} refused: ${JSON.stringify(result)}`);
  });
  const writers = opened.filter((c) => c.stream.kind === "record" && c.role === "source");
  await inBatches(writers, batchSize, timeoutMs, "writing first values", (c) =>
    request(c, RECORD_WRITE, { recordId: c.stream.name, value: { seq: 0, t: sharedNowMs(), body: padding } }),
  );
  const subscribers = opened.filter((c) => c.stream.kind === "record" && c.role !== "source");
  await inBatches(subscribers, batchSize, timeoutMs, "subscribing records", async (c) => {
    const result = await request(c, RECORD_SUBSCRIBE, { recordId: c.stream.name, mode: "patch" });
    if (result?.success !== true) throw new Error(`${RECORD_SUBSCRIBE} ${c.stream.name} refused`);
    c.lastSeq = result.record?.seq ?? -1;
  });
  return { clients: clients.length, streams: streams.length };
}

serveIpc({
  setup,

  /** Starts the streams of `kind` ("room" or "record"), each with `inFlight` messages in flight. */
  start({ kind, inFlight }) {
    running = kind;
    for (const stream of streams) {
      if (stream.kind !== kind) continue;
      for (let i = 0; i < inFlight; i++) sendNext(stream);
    }
    return {};
  },

  /** Starts counting deliveries, messages sent and answers. */
  begin() {
    window = { delivered: 0, sent: 0, answered: 0, samples: [], at: sharedNowMs() };
    return {};
  },

  /** Ends the window: its counts and latency samples, and how many running streams moved in it. */
  end() {
    const w = window;
    window = null;
    const mine = streams.filter((s) => s.kind === running);
    const idle = mine.filter((s) => s.lastTriggerAt < w.at).length;
    const elapsedMs = sharedNowMs() - w.at;
    const { delivered, sent, answered, samples } = w;
    return { delivered, sent, answered, latenciesMs: samples, elapsedMs, streams: mine.length, idle };
  },

  /** Stops the streams and waits (at most `timeoutMs`) until every request is answered and deliveries stopped. */
  async stop({ timeoutMs }) {
    running = null;
    const until = Date.now() + timeoutMs;
    let lastSeen = -1;
    for (;;) {
      const inFlight = streams.reduce((n, s) => n + s.inFlight, 0);
      const seen = clients.reduce((n, c) => n + Math.max(0, c.lastSeq), 0);
      if ((inFlight === 0 && seen === lastSeen) || Date.now() > until) return { inFlight };
      lastSeen = seen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  },

  status: () => ({
    open: clients.filter((c) => c.isOpen()).length,
    anomalies: { ...anomalies },
    firstErrors: [...firstErrors],
  }),

  async shutdown() {
    running = null;
    await withTimeout(Promise.all(clients.map((c) => c.close())), 5_000, "closing clients").catch(() => {
      for (const c of clients) c.terminate();
    });
    clients = [];
    streams = [];
  },
});
