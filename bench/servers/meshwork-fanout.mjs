// meshwork as one instance of a fan-out system: a MeshServer on the system's Redis with the scenario's key prefix,
// default options otherwise. Imports the built package (dist/). What clients follow and what the publisher
// instance calls depends on `kind`:
//   room:    clients send the `join` command (server.addToRoom); broadcast = server.broadcastRoom(room, command, payload),
//            which resolves once Redis took the one PUBLISH.
//   channel: channels /^bench/ exposed, clients subscribe themselves (mesh/subscribe-channel);
//            broadcast = server.publishToChannel(room, payload, history).
//   record:  records /^bench/ exposed, clients subscribe to `bench:doc` in patch or full mode; broadcast writes the
//            whole ~2 KB value (recordDoc) where only `seq` and `t` change, with publishRecordUpdate. It does not wait
//            for the previous write (meshwork keeps one instance's writes to a record in call order), as Socket.IO's
//            emit does not wait either; with `awaitEach`, each write waits for the previous one instead.
import { importMeshwork } from "./meshwork.mjs";
import { recordValue } from "./recordDoc.mjs";

export const RECORD_ID = "bench:doc";

export async function startServer({ host, port, redisUrl, keyPrefix, kind, room, command, history = 0, awaitEach = false }) {
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
  let broadcast;
  // Room members are counted cluster-wide; channel and record clients resolve only after their subscribe
  // response, so the local connections are the local subscribers.
  let roomSize = async () => server.connectionManager.getLocalConnections().length;
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
  } else if (kind === "record") {
    server.exposeRecord(/^bench/);
    let chain = Promise.resolve();
    broadcast = (payload) => {
      const value = recordValue(payload);
      if (!awaitEach) return server.publishRecordUpdate(RECORD_ID, value);
      chain = chain.then(() => server.publishRecordUpdate(RECORD_ID, value));
      return chain;
    };
  } else {
    throw new Error(`unknown meshwork fan-out kind "${kind}"`);
  }
  await server.ready();
  return {
    port: server.port,
    connections: () => server.connectionManager.getLocalConnections().length,
    roomSize,
    broadcast,
    diagnostics: () => ({ ...diagnostics }),
    close: () => server.close(),
  };
}
