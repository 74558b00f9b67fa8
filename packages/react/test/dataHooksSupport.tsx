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

/** Where a test server keeps its state: in process memory, or in the local Redis when it must outlive a restart. */
export interface TestServerOptions {
  keyPrefix?: string;
  /** `0` picks a free one. */
  port?: number;
  redis?: string;
}

/** A server on its own key prefix, closed after the test. */
export async function startServer(options: TestServerOptions = {}): Promise<MeshServer> {
  const { keyPrefix = `test:${randomUUID()}:`, port = 0, redis } = options;
  const server = new MeshServer({ port, host: "127.0.0.1", keyPrefix, logger: silent, ...(redis ? { redis } : {}) });
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
