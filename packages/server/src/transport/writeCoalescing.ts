import type { WebSocket } from "ws";

/** The parts of a TCP socket used to hold writes back; `ws` keeps its socket private, hence all optional. */
export interface CorkableSocket {
  writableCorked?: number;
  cork?(): void;
  uncork?(): void;
}

/** Sockets holding their writes until the work of the current tick is done. */
const held: CorkableSocket[] = [];
let releaseScheduled = false;

function releaseAll(): void {
  releaseScheduled = false;
  for (const socket of held.splice(0)) socket.uncork?.();
}

/**
 * Holds a socket's writes until the current tick's work is done, then sends them in one system call. A burst of
 * frames handled in one go (requests from one TCP read, or bus messages from one Redis read, each pushed to the
 * same sockets) then leaves each socket in one write instead of one per frame. Nothing waits for I/O: the writes
 * go out before the event loop polls again. A socket already held (by anyone) is left as it is.
 */
export function holdWritesUntilTickEnds(socket: CorkableSocket | null | undefined): void {
  if (socket?.writableCorked !== 0 || !socket.cork || !socket.uncork) return;
  socket.cork();
  held.push(socket);
  if (!releaseScheduled) {
    releaseScheduled = true;
    process.nextTick(releaseAll);
  }
}

/** The TCP socket under a `ws` socket: not public in `ws`, hence looked up defensively. */
type WithTcp = { _socket?: CorkableSocket | null };

/** {@link holdWritesUntilTickEnds} for the TCP socket under a `ws` socket. */
export function holdSocketWritesUntilTickEnds(socket: WebSocket): void {
  holdWritesUntilTickEnds((socket as unknown as WithTcp)._socket);
}
