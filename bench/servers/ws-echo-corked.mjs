// Baseline, opt-in: raw ws echo that, like meshwork, corks the TCP socket while `ws` emits the frames of one
// read, so the echoes of a burst leave in one write. Shows how much of a difference comes from coalescing
// writes alone rather than from the rest of the server.
import { WebSocketServer } from "ws";
import { listenWss } from "./wsListen.mjs";

const uncork = (tcp) => tcp.uncork();

export async function startServer({ host, port }) {
  const wss = new WebSocketServer({ host, port });
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => {
      const tcp = ws._socket;
      if (tcp.writableCorked === 0) {
        tcp.cork();
        process.nextTick(uncork, tcp);
      }
      ws.send(data, { binary: isBinary });
    });
  });
  return listenWss(wss);
}
