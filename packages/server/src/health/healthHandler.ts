import type { IncomingMessage, ServerResponse } from "node:http";
import type { HealthReport } from "./healthReport";

/** Anything with a `health()`: a `MeshServer`. */
export interface HealthSource {
  health(): Promise<HealthReport>;
}

/** A Node HTTP request listener. */
export type HealthRequestListener = (request: IncomingMessage, response: ServerResponse) => void;

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
  if (response.headersSent || response.destroyed) return;
  const json = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(json),
    "Cache-Control": "no-store",
  });
  response.end(request.method === "HEAD" ? undefined : json);
}

/**
 * Routes `GET`/`HEAD` requests for `path` (query string ignored) to the health handler; returns whether it
 * took the request. What the owned listener runs for the `healthPath` option.
 */
export function healthRoute(
  path: string,
  source: HealthSource,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const handler = createHealthHandler(source);
  return (request, response) => {
    if (!isReadOf(request, path)) return false;
    handler(request, response);
    return true;
  };
}

/** Whether a request is a `GET` or `HEAD` of `path` (query string ignored): what an owned listener's routes serve. */
export function isReadOf(request: IncomingMessage, path: string): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  return (query === -1 ? url : url.slice(0, query)) === path;
}
