// A dedicated redis-server for one scenario: spawned on a free loopback port with persistence off, so its
// INFO commandstats counts nothing but the systems under test; stopped (killed by its pid) at the end and
// when the orchestrator exits. Queried over a tiny RESP client of its own, so the harness adds no library
// traffic (no ready-check INFO, no CLIENT SETNAME) to the statistics it reads.
import { spawn } from "node:child_process";
import net from "node:net";
import { HOST } from "./config.mjs";

const live = new Set();
let hooksInstalled = false;

function installExitHook() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // children.mjs handles the signals (it exits the process, which runs this hook).
  process.on("exit", () => {
    for (const server of live) server.kill();
  });
}

/** A port that was free a moment ago on the loopback interface. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Encodes a command as a RESP array of bulk strings. */
function encodeCommand(args) {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const s = String(arg);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

/**
 * Parses one RESP reply from `buf` at `offset`; returns `[value, nextOffset]`, or `null` when incomplete.
 * Only what the harness asks for: simple strings, errors, integers, bulk strings, arrays.
 */
function parseReply(buf, offset) {
  const lineEnd = buf.indexOf("\r\n", offset);
  if (lineEnd === -1) return null;
  const kind = String.fromCharCode(buf[offset]);
  const line = buf.toString("utf8", offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (kind) {
    case "+":
      return [line, next];
    case "-":
      return [new Error(`redis: ${line}`), next];
    case ":":
      return [Number(line), next];
    case "$": {
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return null;
      return [buf.toString("utf8", next, next + len), next + len + 2];
    }
    case "*": {
      const n = Number(line);
      const items = [];
      let at = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, at);
        if (!r) return null;
        items.push(r[0]);
        at = r[1];
      }
      return [items, at];
    }
    default:
      throw new Error(`redis: unexpected reply type ${JSON.stringify(kind)}`);
  }
}

/** One RESP connection; commands are answered in order. */
class RespClient {
  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.waiting = [];
    socket.on("data", (chunk) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      let offset = 0;
      for (;;) {
        const r = parseReply(this.buffer, offset);
        if (!r) break;
        offset = r[1];
        const entry = this.waiting.shift();
        if (!entry) continue;
        clearTimeout(entry.timer);
        if (r[0] instanceof Error) entry.reject(r[0]);
        else entry.resolve(r[0]);
      }
      this.buffer = this.buffer.subarray(offset);
    });
    const failAll = (err) => {
      for (const entry of this.waiting.splice(0)) {
        clearTimeout(entry.timer);
        entry.reject(err);
      }
    };
    socket.on("error", failAll);
    socket.on("close", () => failAll(new Error("redis: connection closed")));
  }

  static connect(port, timeoutMs) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`redis: connect to ${HOST}:${port} timed out`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RespClient(socket));
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  call(args, timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, timer: null };
      entry.timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new Error(`redis: ${args[0]} timed out after ${timeoutMs} ms`));
        // Replies are matched by order: after a timeout the stream cannot be trusted any more.
        this.socket.destroy();
      }, timeoutMs);
      this.waiting.push(entry);
      this.socket.write(encodeCommand(args));
    });
  }

  close() {
    this.socket.destroy();
  }
}

/** Parses an INFO section into `{ field: value }` (numbers where they are numbers). */
export function parseInfo(text) {
  const out = {};
  for (const line of text.split("\r\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.indexOf(":");
    if (i < 0) continue;
    const value = line.slice(i + 1);
    out[line.slice(0, i)] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return out;
}

/** `INFO commandstats` text → `{ command: calls }`, e.g. `{ publish: 1000, "config|resetstat": 1 }`. */
export function parseCommandStats(text) {
  const out = {};
  for (const line of text.split("\r\n")) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** A redis-server process of our own, and a connection to it for statistics. */
export class RedisServer {
  /**
   * Starts `redis-server` on a free loopback port and waits (bounded) until it answers PING.
   * @param {{ binary?: string, startTimeoutMs?: number, log?: (line: string) => void }} [options]
   */
  static async start({ binary = process.env.BENCH_REDIS_SERVER || "redis-server", startTimeoutMs = 10_000 } = {}) {
    installExitHook();
    let lastError;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const server = new RedisServer(binary, port);
      try {
        await server.waitReady(startTimeoutMs);
        return server;
      } catch (err) {
        lastError = err;
        server.kill();
      }
    }
    throw new Error(`cannot start ${binary}: ${lastError?.message}`);
  }

  constructor(binary, port) {
    this.port = port;
    this.url = `redis://${HOST}:${port}`;
    this.output = "";
    this.exitInfo = undefined;
    this.proc = spawn(
      binary,
      ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.pid = this.proc.pid;
    live.add(this);
    const keep = (chunk) => {
      this.output = (this.output + chunk.toString()).slice(-8_192);
    };
    this.proc.stdout.on("data", keep);
    this.proc.stderr.on("data", keep);
    this.exited = new Promise((resolve) => {
      this.proc.on("exit", (code, signal) => {
        live.delete(this);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    this.proc.on("error", (err) => {
      this.output += `\nspawn error: ${err.message}`;
    });
  }

  async waitReady(timeoutMs) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitInfo) throw new Error(`redis-server exited (${JSON.stringify(this.exitInfo)}): ${this.output.trim()}`);
      try {
        const client = await RespClient.connect(this.port, 1_000);
        const pong = await client.call(["PING"], 2_000);
        if (pong !== "PONG") throw new Error(`PING answered ${pong}`);
        this.client = client;
        return;
      } catch (err) {
        if (Date.now() > until) throw new Error(`redis-server on port ${this.port} not ready in ${timeoutMs} ms: ${err.message}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Runs one command on the statistics connection. */
  command(...args) {
    return this.client.call(args);
  }

  async version() {
    return parseInfo(await this.command("INFO", "server")).redis_version;
  }

  /** Redis's own CPU seconds so far (every thread of the process, user + system). */
  async cpuSeconds() {
    const info = parseInfo(await this.command("INFO", "cpu"));
    return info.used_cpu_sys + info.used_cpu_user;
  }

  /** Zeroes INFO commandstats (the CONFIG RESETSTAT itself is then counted once, as `config|resetstat`). */
  async resetStats() {
    await this.command("CONFIG", "RESETSTAT");
  }

  /** Calls per command since the last reset. */
  async commandStats() {
    return parseCommandStats(await this.command("INFO", "commandstats"));
  }

  /** Stops the server: SIGKILL by pid (it keeps nothing), then waits (bounded) for the exit. */
  async stop(timeoutMs = 5_000) {
    this.client?.close();
    this.kill();
    let timer;
    await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  kill() {
    if (this.exitInfo) return;
    try {
      process.kill(this.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
