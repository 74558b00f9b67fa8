import type { IncomingMessage, ServerResponse } from "node:http";
import { isReadOf } from "../health/healthHandler";

/** Anything with a `metrics()`: a `MeshServer`. */
export interface MetricsSource {
  metrics(): Promise<string>;
}

/** A Node HTTP request listener. */
export type MetricsRequestListener = (request: IncomingMessage, response: ServerResponse) => void;

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
      (text) => answer(request, response, 200, METRICS_CONTENT_TYPE, text),
      (error: unknown) =>
        answer(request, response, 503, "text/plain; charset=utf-8", error instanceof Error ? error.message : "failed"),
    );
  };
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

/**
 * Routes `GET`/`HEAD` requests for `path` (query string ignored) to the metrics handler; returns whether it took
 * the request. What the owned listener runs for the `metricsPath` option.
 */
export function metricsRoute(
  path: string,
  source: MetricsSource,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const handler = createMetricsHandler(source);
  return (request, response) => {
    if (!isReadOf(request, path)) return false;
    handler(request, response);
    return true;
  };
}
