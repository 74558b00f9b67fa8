import type { IncomingMessage, ServerResponse } from "node:http";

/** A Node HTTP request listener. */
export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** A route of an owned listener: answers the request and returns `true`, or leaves it and returns `false`. */
export type HttpRoute = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * Answers an operational endpoint (health, metrics): never cached, since each answer is a reading of now, and
 * `HEAD` gets the status line and headers only. Does nothing when the client already went away.
 */
export function answerUncached(
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
 * Routes `GET`/`HEAD` requests for `path` (query string ignored) to `handler`: what the owned listener runs for
 * the `healthPath` and `metricsPath` options.
 */
export function readRoute(path: string, handler: RequestListener): HttpRoute {
  return (request, response) => {
    if (!isReadOf(request, path)) return false;
    handler(request, response);
    return true;
  };
}

/** Whether a request is a `GET` or `HEAD` of `path` (query string ignored). */
function isReadOf(request: IncomingMessage, path: string): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  return (query === -1 ? url : url.slice(0, query)) === path;
}
