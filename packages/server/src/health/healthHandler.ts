import type { IncomingMessage, ServerResponse } from "node:http";
import { type HttpRoute, type RequestListener, answerUncached, readRoute } from "../transport/httpEndpoint";
import type { HealthReport } from "./healthReport";

/** Anything with a `health()`: a `MeshServer`. */
export interface HealthSource {
  health(): Promise<HealthReport>;
}

/** A Node HTTP request listener. */
export type HealthRequestListener = RequestListener;

/**
 * A Node HTTP listener for load balancer health checks: answers `200` with the {@link HealthReport} as JSON
 * when the status is `ok`, `503` with the same JSON otherwise (starting, degraded, closing), and never caches.
 * `HEAD` gets the status line and headers only. Mount it on any path:
 *
 * ```ts
 * const health = createHealthHandler(server);
 * http.createServer((req, res) => (req.url === "/healthz" ? health(req, res) : app(req, res)));
 * ```
 */
export function createHealthHandler(source: HealthSource): HealthRequestListener {
  return (request, response) => {
    source.health().then(
      (report) => answer(request, response, report.status === "ok" ? 200 : 503, report),
      (error: unknown) =>
        answer(request, response, 503, {
          status: "error",
          reasons: [error instanceof Error ? error.message : "failed"],
        }),
    );
  };
}

function answer(request: IncomingMessage, response: ServerResponse, status: number, body: unknown): void {
  answerUncached(request, response, status, "application/json; charset=utf-8", JSON.stringify(body));
}

/** The `healthPath` route of an owned listener. */
export function healthRoute(path: string, source: HealthSource): HttpRoute {
  return readRoute(path, createHealthHandler(source));
}
