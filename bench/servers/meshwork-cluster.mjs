// meshwork as one instance of a cluster (cluster-broadcast scenario): a MeshServer on a shared Redis with
// the scenario's key prefix and default options otherwise. A client joins the room with the `join` command
// (server.addToRoom); the publisher instance broadcasts with server.broadcastRoom, which resolves once Redis
// took the one PUBLISH. Imports the built package (dist/).
export async function startServer({ host, port, redisUrl, keyPrefix, room, command }) {
  let mesh;
  try {
    mesh = await import("@meshwork/server");
  } catch (err) {
    throw new Error(`cannot import @meshwork/server (${err.message}); build it first: pnpm --filter "./packages/*" build`);
  }
  const { MeshServer } = mesh;
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
  server.registerCommand("join", async (ctx) => {
    await server.addToRoom(room, ctx.connection);
    return true;
  });
  await server.ready();
  return {
    port: server.port,
    connections: () => server.connectionManager.getLocalConnections().length,
    roomSize: async () => (await server.getRoomMembers(room)).length,
    broadcast: (payload) => server.broadcastRoom(room, command, payload),
    diagnostics: () => ({ ...diagnostics }),
    close: () => server.close(),
  };
}
