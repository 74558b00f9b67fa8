// Receiving clients of the cluster-broadcast scenario, one kind per system under test. Each joins the
// room its system's way and calls `onTick(client, payload)` for every `tick` push, payload `{ seq, t, data }`.
//   meshwork: `ws` offering `meshwork.v1`; waits for `hello`, sends the `join` command and waits for its
//             response; answers `ping` and `latency-probe` like a real client.
//   relay:    plain `ws`; every socket of a relay server is in the room, nothing to join.
//   socketio: `socket.io-client`, WebSocket transport only; emits `join` and waits for the acknowledgement.
import WebSocket from "ws";
import { subprotocolFor } from "@meshwork/protocol";

const PONG = '{"type":"pong"}';
const JOIN_REQUEST = '{"type":"request","id":1,"command":"join","payload":null}';

/**
 * @typedef {object} ClientHooks
 * @property {(client: object, payload: { seq: number, t: number }) => void} onTick
 * @property {(client: object, why: string) => void} onDrop  the connection went away while the pool was open
 * @property {() => void} onBadFrame
 */

function wsClient(kind, url, command, hooks) {
  return new Promise((resolve, reject) => {
    const meshwork = kind === "meshwork";
    const ws = new WebSocket(url, meshwork ? [subprotocolFor()] : [], { perMessageDeflate: false, handshakeTimeout: 15_000 });
    const tickPrefix = Buffer.from(`{"type":"push","command":${JSON.stringify(command)},"payload":{"seq":`);
    const client = {
      kind,
      lastSeq: -1,
      closing: false,
      close() {
        client.closing = true;
        return closeWs(ws);
      },
    };
    let joined = false;
    const fail = (why) => {
      if (joined) {
        if (!client.closing) hooks.onDrop(client, why);
      }
      else {
        joined = true;
        reject(new Error(`${kind} client ${url}: ${why}`));
      }
    };
    const ready = () => {
      if (joined) return;
      joined = true;
      resolve(client);
    };
    ws.on("open", () => {
      if (!meshwork) ready();
    });
    ws.on("message", (data) => {
      // Fast path for the one frame that arrives by the hundred thousand, so the load processes leave the
      // CPU to the servers: read seq and t without parsing the whole frame.
      if (data.length > tickPrefix.length && data.compare(tickPrefix, 0, tickPrefix.length, 0, tickPrefix.length) === 0) {
        const payload = readTick(data, tickPrefix.length);
        if (payload) {
          hooks.onTick(client, payload);
          return;
        }
      }
      let msg;
      try {
        msg = JSON.parse(data);
      } catch {
        hooks.onBadFrame();
        return;
      }
      switch (msg?.type) {
        case "push":
          if (msg.command === command) hooks.onTick(client, msg.payload);
          return;
        case "ping":
          ws.send(PONG);
          return;
        case "latency-probe":
          ws.send(`{"type":"latency-reply","id":${msg.id}}`);
          return;
        case "hello":
          ws.send(JOIN_REQUEST);
          return;
        case "response":
          if (msg.id === 1) ready();
          return;
        case "error":
          if (msg.id === 1) fail(`join failed: ${msg.error?.code ?? ""} ${msg.error?.message ?? JSON.stringify(msg)}`);
          return;
        default:
          return;
      }
    });
    ws.on("error", (err) => fail(err.message));
    ws.on("close", (code) => fail(`closed with ${code}`));
  });
}

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

/** Closes a `ws` socket with 1000 and resolves once it is closed. */
export function closeWs(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once("close", resolve);
    ws.close(1000);
  });
}

let ioFactory;

/**
 * A `socket.io-client` on the WebSocket transport that has joined the room (`join`, acknowledged) when the promise
 * resolves; calls `onTick(client, payload, bytes)` for every `command` push. With `countBytes`, `bytes` is the
 * received frame's length (the Engine.IO packet text); without, it is 0 and nothing listens to the engine.
 */
export async function socketIoClient(url, command, hooks, { countBytes = false } = {}) {
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
    socket.on(command, (payload) => hooks.onTick(client, payload, lastBytes));
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

/** Opens one client of `kind` that has joined the room when the promise resolves. */
export function openClient(kind, url, command, hooks) {
  if (kind === "socketio") return socketIoClient(url, command, hooks);
  if (kind === "meshwork" || kind === "relay") return wsClient(kind, url, command, hooks);
  throw new Error(`unknown client kind ${kind}`);
}
