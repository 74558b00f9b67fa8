import { performance } from "node:perf_hooks";
import { CLOSE_CODES, encodeServerMessage } from "@meshwork/protocol";
import { type Connection, PHASE } from "./connection";
import type { LocalConnections } from "./localConnections";

/** The liveness settings, from the server options. */
export interface LivenessOptions {
  readonly pingInterval: number;
  readonly latencyInterval: number;
  readonly maxMissedPongs: number;
}

// The same bytes go to every connection, so the ping is encoded once per process.
const PING_FRAME = Buffer.from(encodeServerMessage({ type: "ping" }));

/**
 * Pings and latency probes for every local connection, driven by two server-wide timers rather than timers per
 * connection: an idle connection costs two counters, not two timer objects. Each tick encodes its frame once
 * and walks the connections.
 *
 * One probe is in flight at a time, shared by all connections (a single id and send time), so measuring needs
 * no per-connection timestamps. A reply slower than `latencyInterval` arrives after the next probe and is not
 * measured.
 */
export class Liveness {
  private pingTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private probeId = 0;
  private probeSentAt = 0;

  constructor(
    private readonly local: LocalConnections,
    private readonly options: LivenessOptions,
  ) {}

  /** Starts the timers (an interval of `0` stays off). They do not keep the process alive on their own. */
  start(): void {
    if (this.options.pingInterval > 0 && !this.pingTimer) {
      this.pingTimer = setInterval(() => this.pingAll(), this.options.pingInterval).unref();
    }
    if (this.options.latencyInterval > 0 && !this.probeTimer) {
      this.probeTimer = setInterval(() => this.probeAll(), this.options.latencyInterval).unref();
    }
  }

  /** Stops the timers. */
  stop(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.pingTimer = null;
    this.probeTimer = null;
  }

  /** A `pong` arrived: the connection is alive. */
  onPong(connection: Connection): void {
    connection.unansweredPings = 0;
  }

  /** A `latency-reply` arrived: stores the round trip and tells the client what was measured. */
  onLatencyReply(connection: Connection, id: number): void {
    if (id !== this.probeId || connection.answeredProbe === id) return;
    connection.answeredProbe = id;
    // Microsecond resolution: on a local network a round trip is well under a millisecond.
    const ms = Math.round((performance.now() - this.probeSentAt) * 1000) / 1000;
    connection.latency = ms;
    connection.sendFrame(encodeServerMessage({ type: "latency", ms }));
  }

  private pingAll(): void {
    const { maxMissedPongs } = this.options;
    const { code, reason } = CLOSE_CODES.PING_TIMEOUT;
    for (const connection of this.local.values()) {
      if (connection.phase !== PHASE.OPEN) continue;
      if (connection.unansweredPings > maxMissedPongs) {
        connection.close(code, reason);
        continue;
      }
      connection.unansweredPings++;
      connection.sendFrame(PING_FRAME);
    }
  }

  private probeAll(): void {
    this.probeId = this.probeId >= Number.MAX_SAFE_INTEGER ? 1 : this.probeId + 1;
    this.probeSentAt = performance.now();
    const frame = Buffer.from(encodeServerMessage({ type: "latency-probe", id: this.probeId }));
    for (const connection of this.local.values()) {
      if (connection.phase === PHASE.OPEN) connection.sendFrame(frame);
    }
  }
}
