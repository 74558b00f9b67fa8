// The clients a load process opens, one kind per server under test. `openClient` resolves once the client is ready
// (connected, greeted, joined or subscribed), then reports to `hooks`: onTick(client, { seq, t }, bytes of the text
// frame where counted) per fan-out delivery, onReply(client, id, isError, msg) per rpc response, onPresence(client,
// msg) per presence event, onDrop(), onBadFrame().
import { subprotocolFor } from "@meshwork/protocol";
import { io } from "socket.io-client";
import WebSocket from "ws";

const PONG = '{"type":"pong"}';
const SUBPROTOCOLS = [subprotocolFor()];

/** The request (id 1) a client sends on `hello` and is ready once answered, by kind. */
const SUBSCRIBE = {
  meshwork: () => ({ command: "join", payload: null }),
  "mw-channel": (target) => ({ command: "mesh/subscribe-channel", payload: { channel: target } }),
  "mw-record-patch": (target) => ({ command: "mesh/subscribe-record", payload: { recordId: target, mode: "patch" } }),
  "mw-record-full": (target) => ({ command: "mesh/subscribe-record", payload: { recordId: target, mode: "full" } }),
  "mw-presence": (target) => ({ command: "mesh/subscribe-presence", payload: { roomName: target } }),
};

/** Reads `123,"t":4567.89` at `at` (what follows `"seq":`), or null when the frame is shaped otherwise. */
function readTick(data, at) {
  const text = data.toString("latin1", at, Math.min(data.length, at + 64));
  const comma = text.indexOf(',"t":');
  const end = text.indexOf(",", comma + 5);
  const seq = Number(text.slice(0, comma));
  const t = Number(end < 0 ? NaN : text.slice(comma + 5, end));
  return comma > 0 && Number.isInteger(seq) && Number.isFinite(t) ? { seq, t } : null;
}

/** The `{ seq, t }` of a record-update frame: the full value's, or the values the patch ops set. */
function recordTick(msg) {
  if (msg.full) return msg.full;
  const tick = {};
  for (const op of msg.patch ?? []) if (op.path === "/seq" || op.path === "/t") tick[op.path.slice(1)] = op.value;
  return tick;
}

/**
 * A client of a meshwork server or a raw `ws` baseline (kinds rpc, rpc-raw, relay and those of SUBSCRIBE). It offers
 * the meshwork subprotocol (the baselines accept it) and answers pings and latency probes, as a real client would.
 * `mw-member` is ready once greeted, like `rpc`, and reads pushes of `target` fast, like `meshwork`: its owner joins
 * rooms and subscribes records with requests of its own.
 */
function wsClient(kind, url, target, hooks) {
  const subscribe = SUBSCRIBE[kind];
  const readyOn = subscribe ? "response" : kind === "rpc" || kind === "mw-member" ? "hello" : "open";
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, SUBPROTOCOLS, { perMessageDeflate: false, handshakeTimeout: 15_000 });
    // Room pushes arrive by the hundred thousand: read seq and t without parsing the whole frame, so the load
    // processes leave the CPU to the servers.
    const push = `{"type":"push","command":${JSON.stringify(target)},"payload":{"seq":`;
    const prefix = kind === "meshwork" || kind === "relay" || kind === "mw-member" ? Buffer.from(push) : null;
    const client = {
      lastSeq: -1,
      closing: false,
      pending: new Map(),
      nextId: 1,
      send: (text) => {
        if (ws.readyState !== WebSocket.OPEN) return false;
        ws.send(text);
        return true;
      },
      isOpen: () => ws.readyState === WebSocket.OPEN,
      terminate: () => ws.terminate(),
      close: () =>
        new Promise((done) => {
          client.closing = true;
          if (ws.readyState === WebSocket.CLOSED) return done();
          ws.once("close", done);
          ws.close(1000);
        }),
    };
    let ready = false;
    const settle = (error) => {
      if (ready) return error && !client.closing && hooks.onDrop();
      ready = true;
      if (error) reject(new Error(`${kind} client ${url}: ${error}`));
      else resolve(client);
    };
    ws.on("open", () => readyOn === "open" && settle());
    ws.on("message", (data) => {
      if (prefix && data.length > prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) {
        const tick = readTick(data, prefix.length);
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
          return msg.command === target && hooks.onTick(client, msg.payload, 0);
        case "channel-message": {
          const message = typeof msg.message === "string" ? JSON.parse(msg.message) : msg.message;
          return hooks.onTick(client, message, data.length);
        }
        case "record-update":
          return hooks.onTick(client, recordTick(msg), data.length);
        case "ping":
          return ws.send(PONG);
        case "latency-probe":
          return ws.send(`{"type":"latency-reply","id":${msg.id}}`);
        case "presence":
          return hooks.onPresence?.(client, msg);
        case "hello":
          client.connectionId = msg.connectionId;
          if (subscribe) ws.send(JSON.stringify({ type: "request", id: 1, ...subscribe(target) }));
          return readyOn === "hello" && settle();
        case "response":
        case "request": // the raw echo server sends the request itself back
          if (!ready) return msg.id === 1 && settle();
          return hooks.onReply(client, msg.id, false, msg);
        case "error":
          if (!ready) return msg.id === 1 && settle(`subscribe failed: ${JSON.stringify(msg.error ?? msg)}`);
          return hooks.onReply(client, msg.id, true, msg);
        default:
          return undefined;
      }
    });
    ws.on("error", (err) => settle(err.message));
    ws.on("close", (code) => settle(`closed with ${code}`));
  });
}

/** A `socket.io-client` socket (WebSocket transport only) that emits `join` and is ready once acknowledged. */
function socketIoClient(url, event, hooks, countBytes) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: 15_000 });
    const close = () => {
      client.closing = true;
      socket.disconnect();
    };
    const client = { lastSeq: -1, closing: false, close, terminate: close };
    let joined = false;
    let lastBytes = 0;
    if (countBytes) {
      // Engine.IO packet "message" carries the Socket.IO packet text; the WebSocket frame is "4" + that text.
      socket.io.on("open", () =>
        socket.io.engine.on("packet", (p) => {
          if (p.type === "message" && typeof p.data === "string") lastBytes = 1 + Buffer.byteLength(p.data);
        }),
      );
    }
    socket.on(event, (payload) => hooks.onTick(client, payload, lastBytes));
    socket.on("connect", () =>
      socket.emit("join", () => {
        joined = true;
        resolve(client);
      }),
    );
    socket.on("connect_error", (err) => joined || reject(new Error(`socketio client ${url}: ${err.message}`)));
    socket.on("disconnect", (reason) => {
      if (!joined) reject(new Error(`socketio client ${url}: disconnected (${reason}) before joining`));
      else if (!client.closing) hooks.onDrop();
    });
  });
}

/** Opens one client of `kind` following `target` (push command, channel, record id or Socket.IO event). */
export function openClient(kind, url, target, hooks, countBytes = false) {
  return kind === "socketio" ? socketIoClient(url, target, hooks, countBytes) : wsClient(kind, url, target, hooks);
}
