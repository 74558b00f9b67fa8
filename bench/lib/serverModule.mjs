// Loads a server-under-test module (bench/servers/*.mjs) in a server child and starts it.
import { pathToFileURL } from "node:url";

/**
 * Imports `module`, calls its `startServer({ ...options, host, port })` and checks that the server it returns
 * listens on a port; throws a message naming the module otherwise.
 */
export async function startServerModule({ module, host, port, options = {} }) {
  const mod = await import(pathToFileURL(module).href);
  if (typeof mod.startServer !== "function") throw new Error(`${module} does not export startServer()`);
  const server = await mod.startServer({ ...options, host, port });
  if (!Number.isInteger(server?.port) || server.port <= 0) {
    throw new Error(`${module}: startServer() returned no port (got ${server?.port})`);
  }
  return server;
}
