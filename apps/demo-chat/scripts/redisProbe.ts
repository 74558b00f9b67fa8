// Whether a Redis answers at a URL, within a short bound, before the demo picks its mode. One raw PING, so the
// answer comes in a fraction of a second instead of a client's reconnect loop.
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";

/** How long the probe waits for an answer. */
export const REDIS_PROBE_TIMEOUT_MS = 1_000;

/**
 * Resolves `true` when something at `redisUrl` answers a PING the way Redis does (`+PONG`, or an error such as
 * `-NOAUTH`, which still means a Redis is there), `false` on refusal, silence past `timeoutMs`, or another reply.
 */
export function redisAnswers(redisUrl: string, timeoutMs = REDIS_PROBE_TIMEOUT_MS): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch {
    return Promise.resolve(false);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  const port = Number(url.port || 6379);
  return new Promise((resolve) => {
    const socket: Socket =
      url.protocol === "rediss:" ? connectTls({ host, port, servername: host }) : connectTcp({ host, port });
    const timer = setTimeout(() => done(false), timeoutMs);
    let reply = "";
    function done(answered: boolean): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    }
    socket.once(url.protocol === "rediss:" ? "secureConnect" : "connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG") || reply.startsWith("-"));
    });
    socket.on("error", () => done(false));
    socket.on("close", () => done(false));
  });
}
