import { randomUUID } from "node:crypto";
import { MeshClient } from "@meshwork/client";
import { MeshServer } from "@meshwork/server";
import { act, cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import WebSocket from "ws";

// Updates here come from the server, outside act(); the tests wait for what they change on the page instead.
// (@testing-library/react's act() still turns this on while it acts.)
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  // Without vitest globals @testing-library/react does not clean up on its own; unmount before servers close.
  cleanup();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `cleanup` after the current test, in reverse order of registration. */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** A real server on Redis and a free port, with its own key prefix, closed after the test. */
export async function startServer(): Promise<MeshServer> {
  const server = new MeshServer({
    port: 0,
    host: "127.0.0.1",
    redis: "redis://127.0.0.1:6379",
    keyPrefix: `test:react:${randomUUID()}:`,
    logger: silent,
  });
  await server.ready();
  onCleanup(() => server.close());
  return server;
}

/** A client of `server`, not yet connected, closed after the test. */
export function clientOf(server: MeshServer): MeshClient {
  const client = new MeshClient(`ws://127.0.0.1:${server.port}`, { WebSocket });
  onCleanup(() => client.close());
  return client;
}

/** A connected client of `server`, closed after the test. */
export async function connectedClient(server: MeshServer): Promise<MeshClient> {
  const client = clientOf(server);
  await act(() => client.connect());
  return client;
}

/** Counts the commands the server receives, by name (every client's, built-in ones included). */
export function countCommands(server: MeshServer): Map<string, number> {
  const counts = new Map<string, number>();
  server.addMiddleware((ctx) => {
    counts.set(ctx.command, (counts.get(ctx.command) ?? 0) + 1);
  });
  return counts;
}

/** Every command the server receives, in order, as `name payload` (every client's, built-in ones included). */
export function logCommands(server: MeshServer): string[] {
  const log: string[] = [];
  server.addMiddleware((ctx) => {
    log.push(`${ctx.command} ${JSON.stringify(ctx.payload)}`);
  });
  return log;
}
