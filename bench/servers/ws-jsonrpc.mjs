// Baseline: a minimal request/response server on `ws` with meshwork's frame shapes. It parses each
// request and answers `{ type: "response", id, result: payload }`: the floor any JSON RPC layer pays.
import { WebSocketServer } from "ws";
import { listenWss } from "./wsListen.mjs";

export async function startServer({ host, port }) {
  const wss = new WebSocketServer({ host, port });
  wss.on("connection", (ws) => {
    ws.on("message", (data) => {
      let msg;
      try {
        msg = JSON.parse(data);
      } catch {
        return;
      }
      if (msg?.type !== "request") return;
      ws.send(JSON.stringify({ type: "response", id: msg.id, result: msg.payload }));
    });
  });
  return listenWss(wss);
}
