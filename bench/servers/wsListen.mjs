// The raw `ws` servers' common part: `{ port, connections(), close() }` once `wss` listens; rejects on a listen error.
export function listenWss(wss) {
  return new Promise((resolve, reject) => {
    wss.once("error", reject);
    wss.once("listening", () => {
      wss.off("error", reject);
      const close = () =>
        new Promise((done) => {
          for (const ws of wss.clients) ws.terminate();
          wss.close(() => done());
        });
      resolve({ port: wss.address().port, connections: () => wss.clients.size, close });
    });
  });
}
