// Socket.IO 4 as one instance of a fan-out system (the baseline of every fan-out scenario), with the classic
// @socket.io/redis-adapter (createAdapter(pubClient, subClient), ioredis clients), WebSocket transport only.
// A client joins the room with a `join` event (acknowledged); the publisher instance broadcasts with
// io.to(room).emit(command, payload), or with `record`, the full ~2 KB record value (record-updates baseline).
// The adapter issues its PUBLISH without returning it, so the publish call is wrapped (same call, same command)
// to hand its promise back: the bench bounds publishes in flight.
import http from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { recordValue } from "./recordDoc.mjs";

export async function startServer({ host, port, redisUrl, room, command, record = false }) {
  const pubClient = new Redis(redisUrl, { lazyConnect: true });
  const subClient = pubClient.duplicate();
  pubClient.on("error", (err) => process.stderr.write(`redis pub error: ${err.message}\n`));
  subClient.on("error", (err) => process.stderr.write(`redis sub error: ${err.message}\n`));
  await Promise.all([pubClient.connect(), subClient.connect()]);
  let lastPublish;
  const publish = pubClient.publish.bind(pubClient);
  pubClient.publish = (...args) => {
    lastPublish = publish(...args);
    return lastPublish;
  };

  const httpServer = http.createServer();
  const io = new Server(httpServer, { transports: ["websocket"], serveClient: false, adapter: createAdapter(pubClient, subClient) });
  io.on("connection", (socket) => {
    socket.on("join", (ack) => {
      socket.join(room);
      if (typeof ack === "function") ack(true);
    });
  });
  await new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, host, resolve);
  });
  // The adapter subscribes in its constructor; make sure the subscriptions are active before any broadcast.
  await subClient.ping().catch(() => {});
  return {
    port: httpServer.address().port,
    connections: () => io.engine.clientsCount,
    roomSize: async () => io.of("/").adapter.rooms.get(room)?.size ?? 0,
    broadcast: (payload) => {
      lastPublish = undefined;
      io.to(room).emit(command, record ? recordValue(payload) : payload);
      return lastPublish;
    },
    close: async () => {
      io.disconnectSockets(true);
      await new Promise((resolve) => io.close(() => resolve()));
      pubClient.disconnect();
      subClient.disconnect();
    },
  };
}
