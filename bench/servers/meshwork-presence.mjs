// meshwork as one instance of the presence scenario: a MeshServer on the scenario's Redis and key prefix, default
// options otherwise, with `room` exposed to clients and tracked for presence. `roomSize` is the room's present
// members as the server API reads them (`getPresence`), cluster-wide.
import { importMeshwork } from "./meshwork.mjs";

export async function startServer({ host, port, redisUrl, keyPrefix, room }) {
  const { MeshServer } = await importMeshwork();
  const server = new MeshServer({ port, host, redis: redisUrl, keyPrefix });
  const diagnostics = { errors: 0 };
  server.on("error", (err) => {
    diagnostics.errors++;
    process.stderr.write(`meshwork error: ${err?.stack ?? err}\n`);
  });
  server.exposeRoom(room);
  server.trackPresence(room);
  await server.ready();
  return {
    port: server.port,
    connections: () => server.connectionManager.getLocalConnections().length,
    roomSize: async () => (await server.getPresence(room)).members.length,
    diagnostics: () => ({ ...diagnostics }),
    close: () => server.close(),
  };
}
