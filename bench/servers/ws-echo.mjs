// Baseline: the least a WebSocket server can do. Every frame is sent straight back, unparsed.
import { WebSocketServer } from "ws";
import { listenWss } from "./wsListen.mjs";

export async function startServer({ host, port }) {
  const wss = new WebSocketServer({ host, port });
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return listenWss(wss);
}
