import { randomUUID } from "node:crypto";
import { afterEach } from "vitest";
import { MeshServer, type MeshLogger, type MeshServerOptions } from "../../src/index";

/** A logger that keeps every line, so tests stay quiet and can assert what was logged. */
export class MemoryLogger implements MeshLogger {
  readonly lines: Array<{ level: keyof MeshLogger; message: string; args: unknown[] }> = [];
  debug(message: string, ...args: unknown[]): void {
    this.lines.push({ level: "debug", message, args });
  }
  info(message: string, ...args: unknown[]): void {
    this.lines.push({ level: "info", message, args });
  }
  warn(message: string, ...args: unknown[]): void {
    this.lines.push({ level: "warn", message, args });
  }
  error(message: string, ...args: unknown[]): void {
    this.lines.push({ level: "error", message, args });
  }
}

const running = new Set<MeshServer>();

afterEach(async () => {
  const servers = [...running];
  running.clear();
  await Promise.all(servers.map((server) => server.close()));
});

/** A key prefix no other test uses. */
export function uniquePrefix(): string {
  return `test:${randomUUID()}:`;
}

/**
 * Starts a MeshServer on a free port of 127.0.0.1 with its own key prefix and a quiet logger, closed after the
 * test. Returns the server and its ws:// URL.
 */
export async function startServer(
  options: Partial<MeshServerOptions> = {},
): Promise<{ server: MeshServer; url: string; logger: MemoryLogger }> {
  const logger = new MemoryLogger();
  const server = new MeshServer({
    port: 0,
    host: "127.0.0.1",
    keyPrefix: uniquePrefix(),
    logger,
    ...options,
  } as MeshServerOptions);
  running.add(server);
  await server.ready();
  return {
    server,
    url: `ws://127.0.0.1:${server.port}${options.path ?? ""}`,
    logger: (options.logger as MemoryLogger | undefined) ?? logger,
  };
}

/** Registers a server created by the test itself for closing after it. */
export function track(server: MeshServer): MeshServer {
  running.add(server);
  return server;
}
