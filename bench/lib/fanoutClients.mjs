// Receiving clients of the channel-fanout and record-updates scenarios. Each calls
// `onTick(client, { seq, t }, bytes)` per delivery, `bytes` = the received WebSocket text frame's length in bytes
// (Socket.IO: the Engine.IO packet's text, what the WebSocket frame carries).
//   mw-channel:      `ws` offering meshwork.v1; on `hello` sends mesh/subscribe-channel {channel} and waits for
//                    the response; reads `channel-message` frames ({ seq, t } in `message`).
//   mw-record-patch / mw-record-full: mesh/subscribe-record {recordId, mode}; reads `record-update` frames
//                    (patch: the ops replacing /seq and /t; full: `full.seq`, `full.t`).
//   socketio:        socket.io-client joining the room with `join` (as lib/broadcastClients.mjs), frame bytes from its engine.
// Every meshwork client answers `ping` and `latency-probe` like a real client.
import WebSocket from "ws";
import { subprotocolFor } from "@meshwork/protocol";
import { closeWs, socketIoClient } from "./broadcastClients.mjs";

const PONG = '{"type":"pong"}';

function meshworkClient(kind, url, target, hooks) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [subprotocolFor()], { perMessageDeflate: false, handshakeTimeout: 15_000 });
    const client = { kind, lastSeq: -1, closing: false, close() { client.closing = true; return closeWs(ws); } };
    const subscribe =
      kind === "mw-channel"
        ? { type: "request", id: 1, command: "mesh/subscribe-channel", payload: { channel: target } }
        : { type: "request", id: 1, command: "mesh/subscribe-record", payload: { recordId: target, mode: kind === "mw-record-patch" ? "patch" : "full" } };
    let joined = false;
    const fail = (why) => {
      if (joined) {
        if (!client.closing) hooks.onDrop(client, why);
      } else {
        joined = true;
        reject(new Error(`${kind} client ${url}: ${why}`));
      }
    };
    ws.on("message", (data) => {
      let msg;
      try {
        msg = JSON.parse(data);
      } catch {
        hooks.onBadFrame();
        return;
      }
      switch (msg?.type) {
        case "channel-message": {
          const m = typeof msg.message === "string" ? JSON.parse(msg.message) : msg.message;
          hooks.onTick(client, m, data.length);
          return;
        }
        case "record-update": {
          if (msg.full) {
            hooks.onTick(client, msg.full, data.length);
            return;
          }
          let seq;
          let t;
          for (const op of msg.patch ?? []) {
            if (op.path === "/seq") seq = op.value;
            else if (op.path === "/t") t = op.value;
          }
          hooks.onTick(client, { seq, t }, data.length);
          return;
        }
        case "ping":
          ws.send(PONG);
          return;
        case "latency-probe":
          ws.send(`{"type":"latency-reply","id":${msg.id}}`);
          return;
        case "hello":
          ws.send(JSON.stringify(subscribe));
          return;
        case "response":
          if (msg.id === 1 && !joined) {
            joined = true;
            resolve(client);
          }
          return;
        case "error":
          if (msg.id === 1) fail(`subscribe failed: ${JSON.stringify(msg.error ?? msg)}`);
          return;
        default:
          return;
      }
    });
    ws.on("error", (err) => fail(err.message));
    ws.on("close", (code) => fail(`closed with ${code}`));
  });
}

/** Opens one client of `kind` subscribed to (or joined to) `target` when the promise resolves. */
export async function openFanoutClient(kind, url, target, hooks) {
  if (kind === "socketio") return socketIoClient(url, target, hooks, { countBytes: true });
  return meshworkClient(kind, url, target, hooks);
}
