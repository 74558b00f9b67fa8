import { randomUUID } from "node:crypto";
import { MeshClient, type MeshClientOptions } from "@meshwork/client";
import { MeshServer } from "@meshwork/server";
import { cleanup } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach } from "vitest";
import WebSocket from "ws";
import { MeshProvider } from "../src/MeshProvider";

// React's act() needs to know it runs in a test environment.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  cleanup();
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** Runs `step` after the current test, after the rendered trees unmounted, newest first. */
export function later(step: () => Promise<void> | void): void {
  cleanups.push(step);
}

/** A server on its own key prefix, closed after the test; `port` 0 picks a free one. */
export async function startServer(keyPrefix = `test:${randomUUID()}:`, port = 0): Promise<MeshServer> {
  const server = new MeshServer({ port, host: "127.0.0.1", keyPrefix, logger: silent });
  await server.ready();
  later(() => server.close());
  return server;
}

/** A connected client of `server`, closed after the test. */
export async function connectClient(server: MeshServer, options: MeshClientOptions = {}): Promise<MeshClient> {
  const client = new MeshClient(`ws://127.0.0.1:${server.port}`, { WebSocket, ...options });
  later(() => client.close());
  await client.connect();
  return client;
}

/** Wraps a tree in a provider of `client`. */
export function withClient(client: MeshClient, children: ReactNode): ReactNode {
  return <MeshProvider client={client}>{children}</MeshProvider>;
}
