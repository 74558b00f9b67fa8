// meshwork as one instance of the redis-shards scenario: a MeshServer on one redis-server (`redis`: a URL) or on a
// Redis Cluster (`redis`: `{ cluster: [{ host, port }, …] }`), default options otherwise. Clients join the rooms
// `bench-room-<n>` (`mesh/join-room`), read and write the records `bench-rec-<n>` (`mesh/subscribe-record`,
// `mesh/publish-record-update`), and send `say`, which broadcasts `{ seq, t }` to a room: one broadcastRoom.
import { importMeshwork } from "./meshwork.mjs";

export async function startServer({ host, port, redis, keyPrefix }) {
  const { MeshServer } = await importMeshwork();
  const server = new MeshServer({ port, host, redis, keyPrefix });
  const diagnostics = { errors: 0, instancedown: 0 };
  server.on("error", (err) => {
    diagnostics.errors++;
    process.stderr.write(`meshwork error: ${err?.stack ?? err}\n`);
  });
  server.on("instancedown", ({ instanceId }) => {
    diagnostics.instancedown++;
    process.stderr.write(`meshwork instancedown: ${instanceId}\n`);
  });
  server.exposeRoom(/^bench-room-/);
  server.exposeWritableRecord(/^bench-rec-/);
  // The publisher's `{ seq, t }` is passed on as it came, seq first, so the load reads it without parsing the frame.
  server.registerCommand("say", async (ctx) => {
    const { room, seq, t } = ctx.payload;
    await server.broadcastRoom(room, "tick", { seq, t });
    return true;
  });
  await server.ready();
  return {
    port: server.port,
    connections: () => server.connectionManager.getLocalConnections().length,
    diagnostics: () => ({ ...diagnostics }),
    close: () => server.close(),
  };
}
