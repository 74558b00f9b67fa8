// meshwork as one instance of a cluster for the record-updates scenario: exposes records /^bench/; clients
// subscribe to `bench:doc` in patch or full mode (mesh/subscribe-record). The publisher instance writes the
// whole ~2 KB value with server.publishRecordUpdate("bench:doc", value) where only `seq` and `t` change, as each
// update comes in, without waiting for the previous one (meshwork keeps one instance's writes to a record in call
// order), as Socket.IO's emit does not wait either. With `awaitEach`, each write waits for the previous one instead:
// one writer awaiting every call, the slowest way an app can write.
import { baseDoc } from "./recordDoc.mjs";

export const RECORD_ID = "bench:doc";

export async function startServer({ host, port, redisUrl, keyPrefix, awaitEach = false }) {
  const { MeshServer } = await import("@meshwork/server");
  const server = new MeshServer({ port, host, redis: redisUrl, keyPrefix });
  const diagnostics = { errors: 0, instancedown: 0, writeErrors: 0 };
  server.on("error", (err) => {
    diagnostics.errors++;
    process.stderr.write(`meshwork error: ${err?.stack ?? err}\n`);
  });
  server.on("instancedown", () => diagnostics.instancedown++);
  server.exposeRecord(/^bench/);
  await server.ready();
  const doc = baseDoc();
  let chain = Promise.resolve();
  return {
    port: server.port,
    connections: () => server.connectionManager.getLocalConnections().length,
    roomSize: async () => server.connectionManager.getLocalConnections().length,
    broadcast: (payload) => {
      const value = { ...doc, seq: payload.seq, t: payload.t };
      if (!awaitEach) return server.publishRecordUpdate(RECORD_ID, value);
      chain = chain.then(() => server.publishRecordUpdate(RECORD_ID, value));
      return chain;
    },
    diagnostics: () => ({ ...diagnostics }),
    close: () => server.close(),
  };
}
