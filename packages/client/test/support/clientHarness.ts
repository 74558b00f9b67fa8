import { afterEach, expect, vi } from "vitest";
import WebSocket from "ws";
import {
  type ClientLifecycleEvent,
  MeshClient,
  type MeshError,
  isMeshError,
  type MeshClientOptions,
  type MeshUrls,
  type WebSocketConstructor,
} from "../../src/node";
import { ScriptedServer, type ScriptedServerOptions } from "./scriptedServer";

const clients = new Set<MeshClient>();
const servers = new Set<ScriptedServer>();

afterEach(async () => {
  await Promise.all([...clients].map((client) => client.close()));
  clients.clear();
  await Promise.all([...servers].map((server) => server.stop()));
  servers.clear();
});

/** Starts a scripted server that is stopped after the test. */
export async function startServer(options: Partial<ScriptedServerOptions> = {}): Promise<ScriptedServer> {
  const server = await ScriptedServer.start(options);
  servers.add(server);
  return server;
}

/** A `ws` WebSocket that counts how many sockets the client opened. */
export function countingWebSocket(): { WebSocket: WebSocketConstructor; opened: () => number } {
  let opened = 0;
  class CountingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      opened += 1;
    }
  }
  return { WebSocket: CountingWebSocket, opened: () => opened };
}

/** Creates a client that is closed after the test. Short intervals keep reconnect tests fast. */
export function createClient(urls: MeshUrls, options: MeshClientOptions = {}): MeshClient {
  const client = new MeshClient(urls, { reconnectInterval: 20, maxReconnectInterval: 100, ...options });
  clients.add(client);
  return client;
}

/** Records lifecycle events in order, as `name` or `name:detail`. */
export function recordEvents(client: MeshClient, events: readonly ClientLifecycleEvent[]): string[] {
  const log: string[] = [];
  for (const event of events) {
    client.on(event, ((detail?: unknown) => {
      log.push(typeof detail === "string" ? `${event}:${detail}` : event);
    }) as never);
  }
  return log;
}

/**
 * Resolves after `ms`. Only for asserting that something does NOT happen within a window; waiting for
 * something to happen uses events or `vi.waitFor`.
 */
export function quietPeriod(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves with the MeshError `promise` rejects with, and fails if it resolves. Attaches its handler at once,
 * so a rejection that happens while the test awaits something else is never reported as unhandled.
 */
export async function rejection(promise: Promise<unknown>): Promise<MeshError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the promise to reject");
    },
    (reason: unknown) => reason,
  );
  expect(isMeshError(error)).toBe(true);
  return error as MeshError;
}

/** A client of `server`, connected (closed after the test). */
export async function connected(server: ScriptedServer): Promise<MeshClient> {
  const client = createClient(server.url);
  await client.connect();
  return client;
}

/**
 * Proves that every frame the server sent before this call has been handled by the client: frames on one socket
 * are handled in order, so once a marker on a subscribed channel has reached its callback, nothing sent before it
 * is still on its way.
 */
export async function settle(client: MeshClient, server: ScriptedServer): Promise<void> {
  const seen: unknown[] = [];
  await client.subscribe("sentinel", (message) => seen.push(message));
  const marker = `marker-${Math.random()}`;
  server.channels.publish("sentinel", marker);
  await vi.waitFor(() => expect(seen).toContain(marker));
}

/** Drops every connection, runs `whileAway`, restarts on the same port and waits for `reconnect`. */
export async function restartServer(client: MeshClient, server: ScriptedServer, whileAway = () => {}): Promise<void> {
  const reconnected = new Promise<void>((resolve) => client.once("reconnect", () => resolve()));
  await server.stop();
  await vi.waitFor(() => expect(client.status).toBe("reconnecting"));
  whileAway();
  await server.restart();
  await reconnected;
}
