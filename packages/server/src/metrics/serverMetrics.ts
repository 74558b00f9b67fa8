import type { MeshState } from "@meshwork/redis-state";
import type { MeshServerEventMap, TypedEvents } from "../events";
import type { ServerFeature } from "../serverFeature";
import { loadPromClient } from "./loadPromClient";
import type { MetricsRegistry } from "./metricsOptions";
import { type MetricsRecorder, NULL_METRICS } from "./metricsRecorder";
import { type GaugeSources, PromRecorder } from "./promMetrics";

/** What the metrics of one server follow besides the recorder's reports. */
export interface ServerMetricsDeps {
  readonly events: TypedEvents<MeshServerEventMap>;
  readonly state: MeshState;
  readonly sources: GaugeSources;
}

const METRICS_OFF =
  'meshwork: metrics are off; construct the server with "metrics: true" (or a prom-client Registry) to collect them';

/**
 * The `metrics` option at work: with it off, the {@link NULL_METRICS} recorder and nothing else (prom-client is
 * never loaded). With it on, prom-client is imported, the metrics are created in the registry (the given one, or a
 * new one of the server's own), and connection events and the state's Redis errors and reconnects are followed.
 */
export class ServerMetrics implements ServerFeature {
  /** What the hot paths report to. */
  readonly recorder: MetricsRecorder;
  /** Settles once the metrics exist; rejects when prom-client cannot be loaded. Off: resolved. */
  readonly loaded: Promise<void>;
  private registry: MetricsRegistry | null = null;
  private readonly stops: Array<() => void> = [];
  private readonly given: MetricsRegistry | null;

  constructor(option: boolean | MetricsRegistry | undefined, deps: ServerMetricsDeps) {
    this.given = typeof option === "object" ? option : null;
    if (!option) {
      this.recorder = NULL_METRICS;
      this.loaded = Promise.resolve();
      return;
    }
    const recorder = new PromRecorder();
    this.recorder = recorder;
    this.loaded = loadPromClient().then((client) => {
      const registry = option === true ? new client.Registry() : option;
      recorder.attach(client, registry, deps.sources);
      this.registry = registry;
      this.stops.push(
        deps.events.on("connected", () => recorder.connectionOpened()),
        deps.events.on("disconnected", (_connection, info) => recorder.connectionClosed(info.code)),
      );
      const unobserve = deps.state.observe?.({
        error: () => recorder.redisError(),
        reconnected: () => recorder.redisReconnected(),
      });
      if (unobserve) this.stops.push(unobserve);
      if (this.given) {
        const given = this.given;
        this.stops.push(() => recorder.detach(given));
      }
    });
  }

  /**
   * The Prometheus exposition text of the registry (the application's own metrics too, when it gave its registry).
   * @throws (rejects) when metrics are off, or prom-client could not be loaded.
   */
  async text(): Promise<string> {
    await this.loaded;
    if (this.registry === null) throw new Error(METRICS_OFF);
    return this.registry.metrics();
  }

  /**
   * Stops following the server. A registry the application gave is left without meshwork's metrics, so a server
   * made later can use it; the server's own registry keeps its last values for a final scrape.
   */
  async close(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop();
  }
}
