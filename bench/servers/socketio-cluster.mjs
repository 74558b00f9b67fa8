// Socket.IO 4 as one instance of a fan-out system (the baseline of every fan-out scenario): the classic
// @socket.io/redis-adapter on ioredis, WebSocket transport only. A client joins the room with an acknowledged `join`
// event; the publisher calls io.to(room).emit(command, payload), with `record` the full ~2 KB record value.
import http from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { recordValue } from "./recordDoc.mjs";

export async function startServer({ host, port, redisUrl, room, command, record = false }) {
  const pubClient = new Redis(redisUrl, { lazyConnect: true });
  const subClient = pubClient.duplicate();
  const logError = (err) => process.stderr.write(`redis: ${err.message}\n`);
  for (const client of [pubClient, subClient]) client.on("error", logError);
  await Promise.all([pubClient.connect(), subClient.connect()]);
  // The adapter issues its PUBLISH without returning it: the same call, wrapped, hands back its promise, so the
  // publisher bounds the publishes in flight as for the other systems.
  let lastPublish;
  const publish = pubClient.publish.bind(pubClient);
  pubClient.publish = (...args) => (lastPublish = publish(...args));

  const httpServer = http.createServer();
  const adapter = createAdapter(pubClient, subClient);
  const io = new Server(httpServer, { transports: ["websocket"], serveClient: false, adapter });
  io.on("connection", (socket) => {
    socket.on("join", (ack) => {
      socket.join(room);
      ack(true);
    });
  });
  await new Promise((resolve, reject) => httpServer.once("error", reject).listen(port, host, resolve));
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
