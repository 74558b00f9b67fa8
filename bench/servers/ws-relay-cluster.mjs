// The leanest cross-instance broadcast (the cluster-broadcast scenario's floor): plain `ws` servers, each
// SUBSCRIBEd to one Redis channel, forwarding every message it receives, as it came, to all its local
// sockets. The publisher issues one PUBLISH of the client frame (JSON text, the same frame meshwork sends).
// Every socket is in the "room"; there is nothing to join. Deliveries from the publisher's own instance
// also come back through Redis.
import { Redis } from "ioredis";
import { WebSocketServer } from "ws";
import { listenWss } from "./wsListen.mjs";

const TEXT = { binary: false };

export async function startServer({ host, port, redisUrl, keyPrefix, room, command }) {
  const channel = `${keyPrefix}relay:${room}`;
  const pub = new Redis(redisUrl, { lazyConnect: true });
  const sub = pub.duplicate();
  pub.on("error", (err) => process.stderr.write(`redis pub error: ${err.message}\n`));
  sub.on("error", (err) => process.stderr.write(`redis sub error: ${err.message}\n`));
  await Promise.all([pub.connect(), sub.connect()]);
  let wss;
  sub.on("messageBuffer", (_channel, message) => {
    for (const ws of wss.clients) ws.send(message, TEXT);
  });
  await sub.subscribe(channel);
  // Created after the subscription, so listenWss sees the "listening" event.
  wss = new WebSocketServer({ host, port, perMessageDeflate: false });
  const base = await listenWss(wss);
  return {
    port: base.port,
    connections: base.connections,
    roomSize: async () => wss.clients.size,
    broadcast: (payload) => pub.publish(channel, JSON.stringify({ type: "push", command, payload })),
    close: async () => {
      await base.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
