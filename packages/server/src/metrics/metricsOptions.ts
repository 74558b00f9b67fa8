/**
 * The part of a prom-client `Registry` the server uses, so the options need no prom-client types (it is an optional
 * peer dependency). Pass a real `Registry`.
 */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

/** The metrics options as given. */
export interface GivenMetricsOptions {
  metrics?: boolean | MetricsRegistry;
  metricsPath?: string;
  port?: number;
}

/** Checks the metrics options; throws a `TypeError` naming the option. */
export function checkMetricsOptions(given: GivenMetricsOptions): void {
  const { metrics, metricsPath } = given;
  if (metrics !== undefined && typeof metrics !== "boolean") {
    if (typeof metrics !== "object" || metrics === null || typeof metrics.metrics !== "function") {
      throw new TypeError('meshwork: option "metrics" must be true, false or a prom-client Registry');
    }
  }
  if (metricsPath === undefined) return;
  if (given.port === undefined) {
    throw new TypeError('meshwork: option "metricsPath" only applies together with "port"');
  }
  if (!metricsPath.startsWith("/")) {
    throw new TypeError(`meshwork: option "metricsPath" must start with "/", got "${metricsPath}"`);
  }
  if (!metrics) throw new TypeError('meshwork: option "metricsPath" needs "metrics" turned on');
}
