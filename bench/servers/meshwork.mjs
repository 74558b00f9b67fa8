// meshwork under test: a MeshServer with default options (in-memory state, default ping and latency intervals) and
// one `echo` command returning its payload. Imports the built package (dist/).
export async function startServer({ host, port }) {
  const { MeshServer } = await importMeshwork();
  const server = new MeshServer({ port, host });
  server.registerCommand("echo", (ctx) => ctx.payload);
  await server.ready();
  const connections = () => server.connectionManager.getLocalConnections().length;
  return { port: server.port, connections, close: () => server.close() };
}

/** The built @meshwork/server, or an error saying how to build it. */
export async function importMeshwork() {
  try {
    return await import("@meshwork/server");
  } catch (err) {
    const build = 'pnpm --filter "./packages/*" build';
    throw new Error(`cannot import @meshwork/server (${err.message}); build it first: ${build}`);
  }
}
