// Serves the built web app (`vite build` output) from the instance's own HTTP server, so the page and its
// WebSocket share one origin and the page talks to the instance that served it.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * A request handler for the files under `distDir`. Unknown paths without an extension get `index.html` (the app
 * reads its own URL); paths that would leave `distDir` get 404. Hashed assets are cached for good, the page never.
 */
export function createStaticHandler(distDir: string): (request: IncomingMessage, response: ServerResponse) => void {
  const root = normalize(distDir + sep);
  return (request, response) => {
    void (async () => {
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD" }).end();
        return;
      }
      const pathname = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
      let path = normalize(join(root, pathname));
      if (!path.startsWith(root)) path = "";
      else if (!(await isFile(path)) && extname(pathname) === "") path = join(root, "index.html");
      if (!path || !(await isFile(path))) {
        const missingBuild = !(await isFile(join(root, "index.html")));
        response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        response.end(missingBuild ? "The web app is not built: run `pnpm demo`, which builds it.\n" : "Not found\n");
        return;
      }
      const immutable = path.startsWith(join(root, "assets") + sep);
      response.writeHead(200, {
        "content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
        "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      });
      if (request.method === "HEAD") response.end();
      else createReadStream(path).pipe(response);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(400);
      response.end();
    });
  };
}
