import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, createConnection } from "node:net";
import { tmpdir } from "node:os";

/** A free TCP port on 127.0.0.1 (the OS picks it; it is released before returning). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

/** Sends one inline PING; resolves true on `+PONG`, false on any failure (connection refused, loading, …). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

/**
 * A redis-server of the test's own, on a loopback port, for tests that must measure Redis or take it away
 * without disturbing the shared one: no persistence, no config file, killed by pid. `start()` may be called
 * again after `stop()` to bring it back, empty, on the same port.
 */
export class RedisProcess {
  private child: ChildProcess | null = null;
  private output = "";

  private constructor(readonly port: number) {}

  /** Starts a server on a free port and waits until it answers PING. */
  static async launch(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts redis-server on this port and resolves once it answers PING (or rejects after `timeoutMs`). */
  async start(timeoutMs = 5_000): Promise<void> {
    if (this.child) throw new Error("redis-server already running");
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmpdir()],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    let spawnError: Error | null = null;
    child.once("error", (error) => (spawnError = error));
    const deadline = Date.now() + timeoutMs;
    while (!(await ping(this.port))) {
      if (spawnError) throw new Error(`could not start redis-server: ${(spawnError as Error).message}`);
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server on port ${this.port} did not answer PING:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Kills the server by pid with `signal` and waits for it to exit. */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    process.kill(child.pid, signal);
    await exited;
  }
}
