// MONITOR on a bench redis-server, to tell the commands clients send from the ones Lua scripts run: Redis 7.0's
// INFO commandstats counts both, MONITOR marks script commands with `[<db> lua]`. Used only in an unmeasured
// accounting phase (MONITOR slows Redis down).
import net from "node:net";

export class RedisMonitor {
  static start(port, host = "127.0.0.1", timeoutMs = 5_000) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const mon = new RedisMonitor(socket);
      const timer = setTimeout(() => reject(new Error("MONITOR: no answer")), timeoutMs);
      socket.once("error", reject);
      socket.once("connect", () => socket.write("MONITOR\r\n"));
      mon.onReady = () => {
        clearTimeout(timer);
        resolve(mon);
      };
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.client = new Map();
    this.lua = new Map();
    // Commands whose line names the scenario's target (a record key, its bus channel), whoever sent them: what a
    // publish costs, apart from the instances' heartbeats and sweeps.
    this.target = null;
    this.onTarget = new Map();
    this.pending = "";
    this.ready = false;
    socket.setEncoding("latin1");
    socket.on("data", (text) => this.onData(text));
    socket.on("error", () => {});
  }

  onData(text) {
    this.pending += text;
    let at;
    while ((at = this.pending.indexOf("\r\n")) >= 0) {
      const line = this.pending.slice(0, at);
      this.pending = this.pending.slice(at + 2);
      if (!this.ready) {
        this.ready = true;
        this.onReady?.();
        continue;
      }
      const m = /^\+[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!m) continue;
      const name = m[2].toLowerCase();
      const map = m[1] === "lua" ? this.lua : this.client;
      map.set(name, (map.get(name) ?? 0) + 1);
      if (this.target !== null && line.includes(this.target)) this.onTarget.set(name, (this.onTarget.get(name) ?? 0) + 1);
    }
  }

  /** Also counts, from now on, the commands whose MONITOR line contains `text` (client-sent and in Lua). */
  countTarget(text) {
    this.target = text;
  }

  /** Counts since the last reset: `{ client: {name: n}, lua: {name: n}, onTarget: {name: n} }`, then resets. */
  take() {
    const out = {
      client: Object.fromEntries(this.client),
      lua: Object.fromEntries(this.lua),
      onTarget: Object.fromEntries(this.onTarget),
    };
    this.client.clear();
    this.lua.clear();
    this.onTarget.clear();
    return out;
  }

  stop() {
    this.socket.destroy();
  }
}
