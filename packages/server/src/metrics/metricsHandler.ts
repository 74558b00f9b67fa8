import { type HttpRoute, type RequestListener, answerUncached, readRoute } from "../transport/httpEndpoint";

/** Anything with a `metrics()`: a `MeshServer`. */
export interface MetricsSource {
  metrics(): Promise<string>;
}

/** A Node HTTP request listener. */
export type MetricsRequestListener = RequestListener;

/** The content type of Prometheus's text exposition format, which `server.metrics()` returns. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * A Node HTTP listener for Prometheus scrapes: answers `200` with the exposition text of `server.metrics()`, or
 * `503` with the reason as plain text when it rejects (metrics off, prom-client not installed). Never cached;
 * `HEAD` gets the status line and headers only. Mount it on any path:
 *
 * ```ts
 * const metrics = createMetricsHandler(server);
 * http.createServer((req, res) => (req.url === "/metrics" ? metrics(req, res) : app(req, res)));
 * ```
 */
export function createMetricsHandler(source: MetricsSource): MetricsRequestListener {
  return (request, response) => {
    source.metrics().then(
      (text) => answerUncached(request, response, 200, METRICS_CONTENT_TYPE, text),
      (error: unknown) =>
        answerUncached(
          request,
          response,
          503,
          "text/plain; charset=utf-8",
          error instanceof Error ? error.message : "failed",
        ),
    );
  };
}

/** The `metricsPath` route of an owned listener. */
export function metricsRoute(path: string, source: MetricsSource): HttpRoute {
  return readRoute(path, createMetricsHandler(source));
}
