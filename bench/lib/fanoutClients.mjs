// Receiving clients of the fan-out scenarios, one kind per system under test. Each has joined its room or
// subscribed when its promise resolves, then calls `onTick(client, { seq, t }, bytes)` for every delivery;
// `bytes` is the received WebSocket text frame's length (0 where the scenario does not count bytes).
//   meshwork:        `ws` offering meshwork.v1; on `hello` sends the `join` command; reads `push` frames of `target`.
//   relay:           plain `ws`; every socket of a relay server is in the room, nothing to join.
//   mw-channel:      meshwork, mesh/subscribe-channel {channel: target}; reads `channel-message` frames.
//   mw-record-patch / mw-record-full: meshwork, mesh/subscribe-record {recordId: target, mode}; reads
//                    `record-update` frames (patch: the ops replacing /seq and /t; full: `full.seq`, `full.t`).
//   socketio:        `socket.io-client`, WebSocket transport only; emits `join` and waits for the acknowledgement;
//                    with `countBytes`, the Engine.IO packet's text (what the WebSocket frame carries).
// Every meshwork client answers `ping` and `latency-probe` like a real client.
import WebSocket from "ws";
import { subprotocolFor } from "@meshwork/protocol";

const PONG = '{"type":"pong"}';

/** The request a meshwork client sends on `hello` (id 1), by kind. */
const SUBSCRIBE = {
  meshwork: () => ({ command: "join", payload: null }),
  "mw-channel": (target) => ({ command: "mesh/subscribe-channel", payload: { channel: target } }),
  "mw-record-patch": (target) => ({ command: "mesh/subscribe-record", payload: { recordId: target, mode: "patch" } }),
  "mw-record-full": (target) => ({ command: "mesh/subscribe-record", payload: { recordId: target, mode: "full" } }),
};

/** Reads `123,"t":4567.89` at `at` (what follows `"seq":`), or null when the frame is shaped otherwise. */
function readTick(data, at) {
  const text = data.toString("latin1", at, Math.min(data.length, at + 64));
  const comma = text.indexOf(',"t":');
  if (comma <= 0) return null;
  const seq = Number(text.slice(0, comma));
  const end = text.indexOf(",", comma + 5);
  const t = Number(end < 0 ? NaN : text.slice(comma + 5, end));
  if (!Number.isInteger(seq) || !Number.isFinite(t)) return null;
  return { seq, t };
}

/** The `{ seq, t }` of a record-update frame: the full value's, or the values the patch ops set. */
function recordTick(msg) {
  if (msg.full) return msg.full;
  const tick = {};
  for (const op of msg.patch ?? []) {
    if (op.path === "/seq") tick.seq = op.value;
    else if (op.path === "/t") tick.t = op.value;
  }
  return tick;
}

function closeWs(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once("close", resolve);
    ws.close(1000);
  });
}

function wsClient(kind, url, target, hooks) {
  const subscribe = SUBSCRIBE[kind];
  if (!subscribe && kind !== "relay") throw new Error(`unknown client kind ${kind}`);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, subscribe ? [subprotocolFor()] : [], { perMessageDeflate: false, handshakeTimeout: 15_000 });
    // Room pushes arrive by the hundred thousand: read seq and t without parsing the whole frame, so the load
    // processes leave the CPU to the servers.
    const tickPrefix = kind === "meshwork" || kind === "relay" ? Buffer.from(`{"type":"push","command":${JSON.stringify(target)},"payload":{"seq":`) : null;
    const client = { kind, lastSeq: -1, closing: false, close: () => ((client.closing = true), closeWs(ws)) };
    let joined = false;
    const ready = () => {
      if (joined) return;
      joined = true;
      resolve(client);
    };
    const fail = (why) => {
      if (!joined) {
        joined = true;
        reject(new Error(`${kind} client ${url}: ${why}`));
      } else if (!client.closing) hooks.onDrop(client, why);
    };
    ws.on("open", () => {
      if (!subscribe) ready();
    });
    ws.on("message", (data) => {
      if (tickPrefix && data.length > tickPrefix.length && data.compare(tickPrefix, 0, tickPrefix.length, 0, tickPrefix.length) === 0) {
        const tick = readTick(data, tickPrefix.length);
        if (tick) return hooks.onTick(client, tick, 0);
      }
      let msg;
      try {
        msg = JSON.parse(data);
      } catch {
        return hooks.onBadFrame();
      }
      switch (msg?.type) {
        case "push":
          if (msg.command === target) hooks.onTick(client, msg.payload, 0);
          return;
        case "channel-message":
          return hooks.onTick(client, typeof msg.message === "string" ? JSON.parse(msg.message) : msg.message, data.length);
        case "record-update":
          return hooks.onTick(client, recordTick(msg), data.length);
        case "ping":
          return ws.send(PONG);
        case "latency-probe":
          return ws.send(`{"type":"latency-reply","id":${msg.id}}`);
        case "hello":
          return ws.send(JSON.stringify({ type: "request", id: 1, ...subscribe(target) }));
        case "response":
          if (msg.id === 1) ready();
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

let ioFactory;

async function socketIoClient(url, event, hooks, countBytes) {
  ioFactory ??= (await import("socket.io-client")).io;
  return new Promise((resolve, reject) => {
    const socket = ioFactory(url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: 15_000 });
    const client = {
      kind: "socketio",
      lastSeq: -1,
      closing: false,
      close() {
        client.closing = true;
        return new Promise((done) => {
          if (socket.disconnected) return done();
          socket.once("disconnect", () => done());
          socket.disconnect();
        });
      },
    };
    let joined = false;
    let lastBytes = 0;
    if (countBytes) {
      socket.io.on("open", () => {
        // Engine.IO packet "message" carries the Socket.IO packet text; the WebSocket frame is "4" + that text.
        socket.io.engine.on("packet", (p) => {
          if (p.type === "message" && typeof p.data === "string") lastBytes = 1 + Buffer.byteLength(p.data);
        });
      });
    }
    socket.on(event, (payload) => hooks.onTick(client, payload, lastBytes));
    socket.on("connect", () => {
      socket.emit("join", () => {
        joined = true;
        resolve(client);
      });
    });
    socket.on("connect_error", (err) => {
      if (!joined) reject(new Error(`socketio client ${url}: ${err.message}`));
    });
    socket.on("disconnect", (reason) => {
      if (!joined) reject(new Error(`socketio client ${url}: disconnected (${reason}) before joining`));
      else if (!client.closing) hooks.onDrop(client, reason);
    });
  });
}

/**
 * Opens one client of `kind` following `target` (the room's push command, the channel, the record id, or the
 * Socket.IO event); `hooks`: `onTick(client, { seq, t }, bytes)`, `onDrop(client, why)`, `onBadFrame()`.
 */
export function openClient(kind, url, target, hooks, { countBytes = false } = {}) {
  if (kind === "socketio") return socketIoClient(url, target, hooks, countBytes);
  return wsClient(kind, url, target, hooks);
}
