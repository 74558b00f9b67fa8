// Load generator core: a pool of `ws` client connections speaking the meshwork wire protocol
// (see packages/protocol/src), a closed request loop with a fixed number in flight per connection
// or a fixed request rate, and latency samples timed with process.hrtime. Used by loadProcess.mjs; one pool per process.
import WebSocket from "ws";
import { withTimeout } from "./ipc.mjs";
import { SampleBuffer } from "./stats.mjs";

const PONG = '{"type":"pong"}';

/**
 * @typedef {object} PoolOptions
 * @property {string} url ws://127.0.0.1:port
 * @property {string[]} subprotocols offered in Sec-WebSocket-Protocol (meshwork.v1)
 * @property {boolean} expectHello a connection counts as open once the server's `hello` arrived
 */

export class ConnectionPool {
  /** @param {PoolOptions} options */
  constructor({ url, subprotocols, expectHello }) {
    this.url = url;
    this.subprotocols = subprotocols;
    this.expectHello = expectHello;
    this.connections = [];
    this.running = false;
    this.measuring = false;
    this.totalSent = 0;
    this.maxRequests = 0;
    this.frameHead = "";
    this.frameTail = "";
    this.samples = new SampleBuffer();
    this.counters = this.freshCounters();
    /** Things that should not happen in a healthy run; reported with the results. */
    this.anomalies = { dropped: 0, unmatched: 0, badFrames: 0, serverErrors: 0 };
  }

  freshCounters() {
    return { completed: 0, errors: 0, missed: 0 };
  }

  /** Opens `count` connections, `batchSize` at a time, so the server's accept queue is never overrun. */
  async open(count, { batchSize, batchTimeoutMs }) {
    for (let first = 0; first < count; first += batchSize) {
      const n = Math.min(batchSize, count - first);
      const batch = [];
      for (let i = 0; i < n; i++) batch.push(this.openOne());
      await withTimeout(Promise.all(batch), batchTimeoutMs, `opening connections ${first}..${first + n - 1}`);
    }
    return { open: this.connections.length };
  }

  openOne() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, this.subprotocols, { perMessageDeflate: false, handshakeTimeout: 15_000 });
      const conn = { ws, nextId: 1, pending: new Map(), ready: false };
      let settled = false;
      const ready = () => {
        if (settled) return;
        settled = true;
        conn.ready = true;
        this.connections.push(conn);
        resolve();
      };
      ws.on("open", () => {
        if (!this.expectHello) ready();
      });
      ws.on("message", (data) => this.onMessage(conn, data, ready));
      ws.on("error", (err) => {
        if (!settled) {
          settled = true;
          reject(new Error(`connect ${this.url}: ${err.message}`));
        }
      });
      ws.on("close", (code) => {
        if (!settled) {
          settled = true;
          reject(new Error(`connect ${this.url}: closed with ${code} before it was ready`));
        } else if (!this.closing) {
          this.anomalies.dropped++;
        }
      });
    });
  }

  onMessage(conn, data, ready) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      this.anomalies.badFrames++;
      return;
    }
    switch (msg?.type) {
      case "response":
        this.onReply(conn, msg.id, false);
        break;
      case "request":
        // The raw echo server sends the request itself back.
        this.onReply(conn, msg.id, false);
        break;
      case "error":
        this.onReply(conn, msg.id, true);
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
        // latency reports, pushes: not part of this load.
        break;
    }
  }

  onReply(conn, id, isError) {
    const sentAt = conn.pending.get(id);
    if (sentAt === undefined) {
      this.anomalies.unmatched++;
      return;
    }
    conn.pending.delete(id);
    if (isError) this.anomalies.serverErrors++;
    if (this.measuring) {
      if (isError) {
        this.counters.errors++;
      } else {
        this.counters.completed++;
        this.samples.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      }
    }
    if (this.running && this.closedLoop) this.send(conn);
  }

  send(conn) {
    if (this.totalSent >= this.maxRequests) {
      this.running = false;
      return;
    }
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    const id = conn.nextId++;
    conn.pending.set(id, process.hrtime.bigint());
    this.totalSent++;
    conn.ws.send(this.frameHead + id + this.frameTail);
  }

  /**
   * Starts the load. Closed loop (`ratePerS` unset): every connection keeps `inFlight` requests
   * outstanding and sends a new one for each reply. Fixed rate (`ratePerS` set): requests go out at that
   * aggregate rate, round-robin over the connections, whatever the replies do; a connection already
   * holding `inFlight` requests is skipped, and a request no connection can take counts as `missed`.
   * Either way the load stops by itself after `maxDurationMs` or `maxRequests`, whichever comes first.
   */
  start({ inFlight, command, payload, maxRequests, maxDurationMs, ratePerS }) {
    if (this.running) throw new Error("load already running");
    this.frameHead = '{"type":"request","id":';
    this.frameTail = `,"command":${JSON.stringify(command)},"payload":${JSON.stringify(payload)}}`;
    this.maxRequests = maxRequests;
    this.inFlightCap = inFlight;
    this.running = true;
    this.deadline = setTimeout(() => this.stopSending(), maxDurationMs);
    this.deadline.unref();
    if (ratePerS) {
      this.closedLoop = false;
      this.startRate(ratePerS);
    } else {
      this.closedLoop = true;
      for (const conn of this.connections) {
        for (let i = 0; i < inFlight; i++) this.send(conn);
      }
    }
    return { connections: this.connections.length };
  }

  startRate(ratePerS) {
    const startedAt = process.hrtime.bigint();
    let due = 0;
    let cursor = 0;
    const n = this.connections.length;
    // Timers fire about every millisecond; each tick sends what the schedule says is due by now.
    this.ticker = setInterval(() => {
      if (!this.running) {
        clearInterval(this.ticker);
        return;
      }
      const target = Math.floor((Number(process.hrtime.bigint() - startedAt) / 1e9) * ratePerS);
      for (; due < target; due++) {
        let sent = false;
        for (let tries = 0; tries < n && !sent; tries++) {
          const conn = this.connections[cursor];
          cursor = (cursor + 1) % n;
          if (conn.pending.size < this.inFlightCap) {
            this.send(conn);
            sent = true;
          }
        }
        if (!sent && this.measuring) this.counters.missed++;
      }
    }, 1);
  }

  stopSending() {
    this.running = false;
    clearTimeout(this.deadline);
    clearInterval(this.ticker);
  }

  beginMeasure() {
    this.counters = this.freshCounters();
    this.samples = new SampleBuffer();
    this.measureStart = process.hrtime.bigint();
    this.cpuMark = process.cpuUsage();
    this.measuring = true;
  }

  endMeasure() {
    this.measuring = false;
    const elapsedMs = Number(process.hrtime.bigint() - this.measureStart) / 1e6;
    const cpu = process.cpuUsage(this.cpuMark);
    return {
      ...this.counters,
      elapsedMs,
      cpuUs: cpu.user + cpu.system,
      latenciesMs: this.samples.values(),
      droppedSamples: this.samples.dropped,
      anomalies: { ...this.anomalies },
      stillRunning: this.running,
    };
  }

  /** Stops sending and waits (bounded) for the requests still in flight. */
  async drain(timeoutMs) {
    this.stopSending();
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && this.inFlight() > 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { leftInFlight: this.inFlight() };
  }

  inFlight() {
    let n = 0;
    for (const conn of this.connections) n += conn.pending.size;
    return n;
  }

  /** Closes every connection and waits (bounded) for the close handshakes. */
  async close(timeoutMs) {
    this.closing = true;
    this.stopSending();
    const closed = this.connections.map(
      (conn) =>
        new Promise((resolve) => {
          if (conn.ws.readyState === WebSocket.CLOSED) return resolve();
          conn.ws.once("close", resolve);
          conn.ws.close(1000);
        }),
    );
    await withTimeout(Promise.all(closed), timeoutMs, "closing connections").catch(() => {
      for (const conn of this.connections) conn.ws.terminate();
    });
    const count = this.connections.length;
    this.connections = [];
    return { closed: count };
  }

  status() {
    let open = 0;
    for (const conn of this.connections) if (conn.ws.readyState === WebSocket.OPEN) open++;
    return { open, inFlight: this.inFlight(), anomalies: { ...this.anomalies } };
  }
}
