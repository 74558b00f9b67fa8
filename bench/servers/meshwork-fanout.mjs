// meshwork as one instance of a fan-out system: a MeshServer on the system's Redis and key prefix, default options
// otherwise. By `kind`: room (clients send `join`; broadcastRoom, one PUBLISH), channel (publishToChannel with
// `history`), record (publishRecordUpdate of the whole ~2 KB value; a write does not wait for the previous one, as
// Socket.IO's emit does not, unless `awaitEach`).
import { importMeshwork } from "./meshwork.mjs";
import { recordValue } from "./recordDoc.mjs";

const RECORD_ID = "bench:doc";

export async function startServer({ host, port, redisUrl, keyPrefix, kind, room, command, history = 0, awaitEach }) {
  const { MeshServer } = await importMeshwork();
  const server = new MeshServer({ port, host, redis: redisUrl, keyPrefix });
  const diagnostics = { errors: 0, instancedown: 0 };
  server.on("error", (err) => {
    diagnostics.errors++;
    process.stderr.write(`meshwork error: ${err?.stack ?? err}\n`);
  });
  server.on("instancedown", ({ instanceId, connections }) => {
    diagnostics.instancedown++;
    process.stderr.write(`meshwork instancedown: ${instanceId} (${connections.length} connections)\n`);
  });
  const connections = () => server.connectionManager.getLocalConnections().length;
  // Channel and record clients are ready once subscribed, so the local connections are the local subscribers.
  let roomSize = async () => connections();
  let broadcast;
  if (kind === "room") {
    server.registerCommand("join", async (ctx) => {
      await server.addToRoom(room, ctx.connection);
      return true;
    });
    roomSize = async () => (await server.getRoomMembers(room)).length;
    broadcast = (payload) => server.broadcastRoom(room, command, payload);
  } else if (kind === "channel") {
    server.exposeChannel(/^bench/);
    broadcast = (payload) => server.publishToChannel(room, payload, history);
  } else {
    server.exposeRecord(/^bench/);
    let chain = Promise.resolve();
    broadcast = (payload) => {
      const value = recordValue(payload);
      if (!awaitEach) return server.publishRecordUpdate(RECORD_ID, value);
      chain = chain.then(() => server.publishRecordUpdate(RECORD_ID, value));
      return chain;
    };
  }
  await server.ready();
  const close = () => server.close();
  return { port: server.port, connections, roomSize, broadcast, diagnostics: () => ({ ...diagnostics }), close };
}
