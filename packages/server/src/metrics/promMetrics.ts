import { performance } from "node:perf_hooks";
import { CLOSE_CODES, isMeshErrorCode } from "@meshwork/protocol";
import type { Counter, Histogram, Registry } from "prom-client";
import type { PromClient } from "./loadPromClient";
import type { MetricsRegistry } from "./metricsOptions";
import {
  BROADCAST_KINDS,
  type BroadcastKind,
  type CommandMeter,
  type MetricsRecorder,
  NULL_COMMAND_METER,
} from "./metricsRecorder";

/** What gauges read when scraped. */
export interface GaugeSources {
  connections(): number;
  presenceMembers(): number;
}

/** Application error codes kept as their own `outcome`; past this many distinct ones, `OTHER`. Bounds the series. */
const MAX_APPLICATION_CODES = 20;
const KNOWN_CLOSE_CODES = new Set<number>([...Object.values(CLOSE_CODES).map((info) => info.code), 1005, 1006]);
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Every meshwork metric, created once in one registry (docs/operations.md, "Metrics"). */
function createMetrics(client: PromClient, registry: MetricsRegistry, sources: GaugeSources) {
  const registers = [registry as unknown as Registry];
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new client.Counter({ name, help, labelNames, registers });
  return {
    connections: new client.Gauge({
      name: "meshwork_connections",
      help: "Connections open on this instance.",
      registers,
      collect() {
        this.set(sources.connections());
      },
    }),
    presenceMembers: new client.Gauge({
      name: "meshwork_presence_members",
      help: "Presence entries (a connection present in a tracked room) held by this instance's connections.",
      registers,
      collect() {
        this.set(sources.presenceMembers());
      },
    }),
    opened: counter("meshwork_connections_opened_total", "Connections opened (registered and greeted)."),
    closed: counter("meshwork_connections_closed_total", "Connections closed, by close code.", ["code"]),
    commands: counter("meshwork_commands_total", "Requests answered, by command and outcome.", ["command", "outcome"]),
    duration: new client.Histogram({
      name: "meshwork_command_duration_seconds",
      help: "Time from a request's dispatch to its answer, by command.",
      labelNames: ["command"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    broadcasts: counter("meshwork_broadcasts_total", "Pushes, channel messages and record changes published.", [
      "kind",
    ]),
    deliveries: counter("meshwork_deliveries_total", "Frames written to this instance's sockets."),
    dropped: counter("meshwork_messages_dropped_total", "Messages dropped, by reason.", ["reason"]),
    rateLimited: counter("meshwork_rate_limited_requests_total", "Requests refused with RATE_LIMITED."),
    slowConsumers: counter("meshwork_slow_consumer_closes_total", "Connections closed with 4004 (slow consumer)."),
    redisErrors: counter("meshwork_redis_errors_total", "Errors reported by the Redis connections."),
    redisReconnects: counter("meshwork_redis_reconnects_total", "Redis connections ready again after a drop."),
  };
}

type Metrics = ReturnType<typeof createMetrics>;

/** One command's children, looked up once. */
class PromCommandMeter implements CommandMeter {
  private readonly failures = new Map<string, Counter.Internal>();
  private readonly succeeded: Counter.Internal;
  private readonly latency: Histogram.Internal<string>;

  constructor(
    private readonly metrics: Metrics,
    private readonly name: string,
    private readonly outcomeOf: (code: string) => string,
  ) {
    this.succeeded = metrics.commands.labels(name, "ok");
    this.latency = metrics.duration.labels(name);
  }

  start(): number {
    return performance.now();
  }

  ok(startedAt: number): void {
    this.succeeded.inc();
    this.latency.observe((performance.now() - startedAt) / 1_000);
  }

  failed(code: string, startedAt: number): void {
    const outcome = this.outcomeOf(code);
    let failures = this.failures.get(outcome);
    if (!failures) {
      failures = this.metrics.commands.labels(this.name, outcome);
      this.failures.set(outcome, failures);
    }
    failures.inc();
    this.latency.observe((performance.now() - startedAt) / 1_000);
  }
}

/**
 * The recorder of a server with metrics on. It exists from construction, so the parts can hold it; it counts once
 * prom-client is loaded ({@link attach}), which happens before the instance takes its first connection.
 */
export class PromRecorder implements MetricsRecorder {
  private metrics: Metrics | null = null;
  private readonly meters = new Map<string, CommandMeter>();
  private readonly applicationCodes = new Set<string>();
  private unknown: CommandMeter = NULL_COMMAND_METER;
  private readonly broadcasts = new Map<BroadcastKind, Counter.Internal>();
  private droppedClosed: Counter.Internal | null = null;
  private droppedBad: Counter.Internal | null = null;

  /** Creates the metrics in `registry`. @throws when the registry already holds meshwork's metrics. */
  attach(client: PromClient, registry: MetricsRegistry, sources: GaugeSources): void {
    if (registry.getSingleMetric("meshwork_connections") !== undefined) {
      throw new Error("meshwork: this metrics registry already holds another server's metrics; give each its own");
    }
    const metrics = createMetrics(client, registry, sources);
    this.metrics = metrics;
    this.unknown = this.command("unknown");
    // Incremented by 0 so that each series is exported, at 0, from the first scrape on.
    this.droppedClosed = metrics.dropped.labels("connection_closed");
    this.droppedBad = metrics.dropped.labels("bad_frame");
    this.droppedClosed.inc(0);
    this.droppedBad.inc(0);
    for (const kind of BROADCAST_KINDS) {
      const child = metrics.broadcasts.labels(kind);
      child.inc(0);
      this.broadcasts.set(kind, child);
    }
  }

  command(name: string): CommandMeter {
    const metrics = this.metrics;
    if (metrics === null) return NULL_COMMAND_METER;
    let meter = this.meters.get(name);
    if (!meter) {
      meter = new PromCommandMeter(metrics, name, (code) => this.outcomeOf(code));
      this.meters.set(name, meter);
    }
    return meter;
  }

  unknownCommand(): void {
    this.unknown.failed("UNKNOWN_COMMAND", this.unknown.start());
  }

  rateLimited(): void {
    this.metrics?.rateLimited.inc();
  }

  badFrame(): void {
    this.droppedBad?.inc();
  }

  frameSent(): void {
    this.metrics?.deliveries.inc();
  }

  frameDropped(): void {
    this.droppedClosed?.inc();
  }

  slowConsumer(): void {
    this.metrics?.slowConsumers.inc();
  }

  broadcast(kind: BroadcastKind): void {
    this.broadcasts.get(kind)?.inc();
  }

  /** Removes meshwork's metrics from the registry they were created in (one the application owns). */
  detach(registry: MetricsRegistry): void {
    const metrics = this.metrics;
    if (metrics === null) return;
    this.metrics = null;
    // Every prom-client metric has its name at run time; the typings leave it out.
    for (const metric of Object.values(metrics))
      registry.removeSingleMetric((metric as unknown as { name: string }).name);
  }

  /** A connection was opened, or closed with `code` (codes meshwork does not know count as `other`). */
  connectionOpened(): void {
    this.metrics?.opened.inc();
  }

  connectionClosed(code: number): void {
    this.metrics?.closed.labels(KNOWN_CLOSE_CODES.has(code) ? String(code) : "other").inc();
  }

  redisError(): void {
    this.metrics?.redisErrors.inc();
  }

  redisReconnected(): void {
    this.metrics?.redisReconnects.inc();
  }

  private outcomeOf(code: string): string {
    if (isMeshErrorCode(code) || this.applicationCodes.has(code)) return code;
    if (this.applicationCodes.size >= MAX_APPLICATION_CODES) return "OTHER";
    this.applicationCodes.add(code);
    return code;
  }
}
