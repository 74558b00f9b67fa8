// meshwork under test: a MeshServer with default options (in-memory state, default ping and latency
// intervals) and one `echo` command returning its payload. Imports the built package (dist/).
// Scenario options (e.g. Redis settings for multi-instance runs) are passed through to MeshServer.
export async function startServer({ host, port, ...options }) {
  let mesh;
  try {
    mesh = await import("@meshwork/server");
  } catch (err) {
    throw new Error(
      `cannot import @meshwork/server (${err.message}); build it first: pnpm --filter "./packages/*" build`,
    );
  }
  const { MeshServer } = mesh;
  if (typeof MeshServer !== "function") {
    throw new Error("@meshwork/server does not export MeshServer (is packages/server built and implemented?)");
  }
  const server = new MeshServer({ ...options, port, host });
  server.registerCommand("echo", (ctx) => ctx.payload);
  await server.ready();
  const actualPort = typeof server.port === "number" ? server.port : server.address?.()?.port;
  return {
    port: actualPort,
    connections: () => countConnections(server),
    close: () => server.close(),
  };
}

/** Local connection count, when the server exposes one; only used as a sanity check. */
function countConnections(server) {
  const local = server.connectionManager?.getLocalConnections?.();
  if (Array.isArray(local)) return local.length;
  if (typeof server.connectionCount === "number") return server.connectionCount;
  return undefined;
}
