// A redis-server process of the caller's own, shared by the server tests (which measure Redis or take it away)
// and the benchmarks (which count its commands): loopback only, no config file, stopped by pid; no persistence
// unless the caller asks for an append-only file in a directory of its own.
// Plain JavaScript with a type file beside it (redis-server.d.mts), so TypeScript tests and Node scripts both
// import it without a build.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";

// Ports are drawn below Linux's ephemeral range (32768–60999), from which every outgoing connection takes its
// local port: a port picked there can be taken by a client socket between the check and redis-server's bind,
// or while a stopped server is down before its restart.
const PORT_RANGE = { from: 20_000, to: 32_000 };

/** Whether nothing listens on `port` on 127.0.0.1 right now. */
export async function isFree(port) {
  const server = createServer();
  server.listen(port, "127.0.0.1");
  try {
    await Promise.race([once(server, "listening"), once(server, "error").then(([error]) => Promise.reject(error))]);
  } catch {
    return false;
  }
  server.close();
  await once(server, "close");
  return true;
}

/** A random port below the ephemeral range that is free on 127.0.0.1 right now. */
export async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (await isFree(port)) return port;
  }
  throw new Error("no free port for a redis-server");
}

/** Sends one inline PING; resolves true on `+PONG`, false on any failure (connection refused, loading, …). */
function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok) => {
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
 * A redis-server on a loopback port: no config file, killed by pid. `start()` may be called again after `stop()`
 * to bring it back on the same port: empty, or, with `appendOnlyDir`, with what its append-only file holds.
 */
export class RedisProcess {
  #child = null;
  #output = "";

  /**
   * @param {number} port
   * @param {{ appendOnlyDir?: string, dir?: string, args?: readonly string[] }} [options] `appendOnlyDir`: persist
   *   every write to an append-only file in this directory, fsynced before the write is answered (`appendonly yes`,
   *   `appendfsync always`). `dir`: the working directory of a server without an append-only file (the system's
   *   temporary directory by default). `args`: more redis-server arguments, after the others.
   */
  constructor(port, options = {}) {
    this.port = port;
    this.options = options;
  }

  /**
   * Starts a server on a free port (drawn by `pickPort`) and waits until it answers PING. Another process (a test
   * suite running beside this one) can take the port between the check and the bind; then it tries another one.
   */
  static async launch(options = {}, pickPort = freePort) {
    for (let attempt = 1; ; attempt++) {
      const redis = new RedisProcess(await pickPort(), options);
      try {
        await redis.start();
        return redis;
      } catch (error) {
        await redis.stop();
        if (attempt >= 3 || !redis.#output.includes("Address already in use")) throw error;
      }
    }
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid() {
    return this.#child?.pid;
  }

  /** Starts redis-server on this port and resolves once it answers PING (or rejects after `timeoutMs`). */
  async start(timeoutMs = 5_000) {
    if (this.#child) throw new Error("redis-server already running");
    const dir = this.options.appendOnlyDir;
    const persistence = dir
      ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir]
      : ["--appendonly", "no", "--dir", this.options.dir ?? tmpdir()];
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", ...persistence, ...(this.options.args ?? [])],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.#child = child;
    // The output of this run only: a restart waits for its own "ready" line, not the previous run's.
    this.#output = "";
    child.stdout.on("data", (chunk) => (this.#output += chunk.toString()));
    child.stderr.on("data", (chunk) => (this.#output += chunk.toString()));
    let spawnError = null;
    child.once("error", (error) => (spawnError = error));
    const deadline = Date.now() + timeoutMs;
    // Waiting for this server's own "ready" line first: a PING alone could be answered by another process that
    // took the port while this server failed to bind it.
    while (!this.#output.includes("Ready to accept connections") || !(await ping(this.port))) {
      if (spawnError) throw new Error(`could not start redis-server: ${spawnError.message}`);
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server on port ${this.port} did not answer PING:\n${this.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Kills the server by pid with `signal` and waits for it to exit. */
  async stop(signal = "SIGKILL") {
    const child = this.#child;
    if (!child || child.pid === undefined) return;
    this.#child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    process.kill(child.pid, signal);
    await exited;
  }
}
