// The load child of the presence scenario: N meshwork clients (ready once greeted) and one watcher subscribed to
// the room's presence. A phase has every client send `mesh/join-room` (or `mesh/leave-room`) in bounded batches and
// counts, on the watcher, the events of that type: rate, and per member the time from its request to its event.
import { openClient } from "./clients.mjs";
import { serveIpc, withTimeout } from "./ipc.mjs";

let clients = [];
let watcher = null;
/** The phase in progress: which events it waits for, and what it has seen so far; null between phases. */
let phase = null;
const anomalies = { dropped: 0, badFrames: 0, unmatched: 0, refused: 0, serverErrors: 0, unexpectedEvents: 0 };

const hooks = {
  onTick: () => anomalies.badFrames++,
  onReply(client, id, isError, msg) {
    const done = client.pending.get(id);
    if (!done) return anomalies.unmatched++;
    client.pending.delete(id);
    if (isError) anomalies.serverErrors++;
    else if (msg.result?.success !== true) anomalies.refused++;
    done();
  },
  onPresence(_client, msg) {
    const now = performance.now();
    const p = phase;
    const sentAt = p?.sentAt.get(msg.event?.connectionId);
    if (!p || msg.event.type !== p.type || sentAt === undefined) return anomalies.unexpectedEvents++;
    p.sentAt.delete(msg.event.connectionId);
    p.seen++;
    p.lastEventAt = now;
    p.latenciesMs.push(now - sentAt);
    if (p.seen === p.expected) p.allSeen();
  },
  onDrop: () => anomalies.dropped++,
  onBadFrame: () => anomalies.badFrames++,
};

/** Sends `command` with `payload` from `client`; resolves once it is answered. */
function request(client, command, payload) {
  const id = client.nextId++;
  const answered = new Promise((resolve) => client.pending.set(id, resolve));
  if (!client.send(JSON.stringify({ type: "request", id, command, payload }))) {
    client.pending.delete(id);
    anomalies.dropped++;
    return Promise.resolve();
  }
  return answered;
}

serveIpc({
  /** Opens `count` clients on `url`, `batchSize` at a time; appends them to those already open. */
  async open({ url, count, batchSize, batchTimeoutMs }) {
    for (let first = 0; first < count; first += batchSize) {
      const n = Math.min(batchSize, count - first);
      const batch = Array.from({ length: n }, () => openClient("rpc", url, "", hooks));
      clients.push(...(await withTimeout(Promise.all(batch), batchTimeoutMs, `opening clients ${first}..`)));
    }
    return { open: clients.length };
  },

  /** Opens the watcher on `url`, subscribed to `room`'s presence. */
  async watch({ url, room }) {
    watcher = await openClient("mw-presence", url, room, hooks);
    return {};
  },

  /**
   * Every client sends `command` for `room`, at most `batchSize` requests in flight (the next batch leaves once the
   * previous one is answered); resolves once the watcher has seen one `type` event per client, or at `timeoutMs`.
   */
  async phase({ type, command, room, batchSize, timeoutMs }) {
    const cpu = process.cpuUsage();
    const until = Date.now() + timeoutMs;
    let allSeen;
    const seen = new Promise((resolve) => {
      allSeen = resolve;
    });
    phase = { type, expected: clients.length, seen: 0, sentAt: new Map(), latenciesMs: [], allSeen };
    const startedAt = performance.now();
    try {
      for (let first = 0; first < clients.length; first += batchSize) {
        const batch = clients.slice(first, first + batchSize).map((c) => {
          phase.sentAt.set(c.connectionId, performance.now());
          return request(c, command, { roomName: room });
        });
        await withTimeout(Promise.all(batch), until - Date.now(), `${command} batch at client ${first}`);
      }
      const answeredAt = performance.now();
      await withTimeout(seen, until - Date.now(), `watcher seeing ${phase.expected} ${type} events`);
      const { user, system } = process.cpuUsage(cpu);
      const ms = (t) => t - startedAt;
      const p = phase;
      return {
        seen: p.seen,
        answeredMs: ms(answeredAt),
        lastEventMs: ms(p.lastEventAt),
        latenciesMs: p.latenciesMs,
        cpuUs: user + system,
      };
    } catch (err) {
      throw new Error(`${err.message} (watcher saw ${phase.seen} of ${phase.expected})`);
    } finally {
      phase = null;
    }
  },

  status: () => ({ open: clients.filter((c) => c.isOpen()).length, watching: !!watcher?.isOpen(), anomalies }),

  async shutdown() {
    const all = [...clients, watcher].filter(Boolean);
    await withTimeout(Promise.all(all.map((c) => c.close())), 5_000, "closing clients").catch(() => {
      for (const c of all) c.terminate();
    });
    clients = [];
    watcher = null;
  },
});
