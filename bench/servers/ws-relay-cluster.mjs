// The leanest cross-instance broadcast (cluster-broadcast's floor): plain `ws` servers SUBSCRIBEd to one Redis
// channel, forwarding every message as it came to all their sockets (every socket is in the "room"); the publisher
// issues one PUBLISH of the client frame, the one meshwork sends. Its own instance's deliveries come through Redis.
import { Redis } from "ioredis";
import { WebSocketServer } from "ws";
import { listenWss } from "./wsListen.mjs";

const TEXT = { binary: false };

export async function startServer({ host, port, redisUrl, keyPrefix, room, command }) {
  const channel = `${keyPrefix}relay:${room}`;
  const pub = new Redis(redisUrl, { lazyConnect: true });
  const sub = pub.duplicate();
  const logError = (err) => process.stderr.write(`redis: ${err.message}\n`);
  for (const client of [pub, sub]) client.on("error", logError);
  await Promise.all([pub.connect(), sub.connect()]);
  await sub.subscribe(channel);
  const wss = new WebSocketServer({ host, port, perMessageDeflate: false });
  sub.on("messageBuffer", (_channel, message) => {
    for (const ws of wss.clients) ws.send(message, TEXT);
  });
  const base = await listenWss(wss);
  return {
    ...base,
    roomSize: async () => wss.clients.size,
    broadcast: (payload) => pub.publish(channel, JSON.stringify({ type: "push", command, payload })),
    close: async () => {
      await base.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
