// meshwork as one instance of a cluster for the channel-fanout scenario: a MeshServer on a shared Redis with
// the scenario's key prefix, exposing channels /^bench/. Clients subscribe themselves (mesh/subscribe-channel);
// the publisher instance calls server.publishToChannel(room, payload, history), which resolves once Redis took
// the publish (and, with history > 0, stored it). Imports the built package (dist/).
export async function startServer({ host, port, redisUrl, keyPrefix, room, history = 0 }) {
  const { MeshServer } = await import("@meshwork/server");
  const server = new MeshServer({ port, host, redis: redisUrl, keyPrefix });
  const diagnostics = { errors: 0, instancedown: 0 };
  server.on("error", (err) => {
    diagnostics.errors++;
    process.stderr.write(`meshwork error: ${err?.stack ?? err}\n`);
  });
  server.on("instancedown", () => diagnostics.instancedown++);
  server.exposeChannel(/^bench/);
  await server.ready();
  return {
    port: server.port,
    connections: () => server.connectionManager.getLocalConnections().length,
    // Clients resolve only after their subscribe response, so the local connections are the local subscribers.
    roomSize: async () => server.connectionManager.getLocalConnections().length,
    broadcast: (payload) => server.publishToChannel(room, payload, history),
    diagnostics: () => ({ ...diagnostics }),
    close: () => server.close(),
  };
}
