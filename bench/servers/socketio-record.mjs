// Socket.IO + @socket.io/redis-adapter broadcasting the full ~2 KB record value to a room (io.to(room).emit):
// the record-updates baseline. Same server as socketio-cluster.mjs; only the payload differs.
import { startServer as startSocketIo } from "./socketio-cluster.mjs";
import { baseDoc } from "./recordDoc.mjs";

export async function startServer(options) {
  const sio = await startSocketIo(options);
  const doc = baseDoc();
  return { ...sio, broadcast: (payload) => sio.broadcast({ ...doc, seq: payload.seq, t: payload.t }) };
}
