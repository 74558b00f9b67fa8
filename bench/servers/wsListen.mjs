// Shared by the raw `ws` baselines: wait until listening, expose the bench server interface.

/** Resolves with `{ port, connections(), close() }` once `wss` listens; rejects on a listen error. */
export function listenWss(wss) {
  return new Promise((resolve, reject) => {
    wss.once("error", reject);
    wss.once("listening", () => {
      wss.off("error", reject);
      resolve({
        port: wss.address().port,
        connections: () => wss.clients.size,
        close: () =>
          new Promise((done) => {
            for (const ws of wss.clients) ws.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}
